// Unit: secrets and personal data are redacted by default, and the rules are configurable.
import { compileRedactor, redact, redactorFor, unescapeJson } from '../../../shared/logs/redact';
import { defaultLogsPolicy, logsPolicySchema } from '../../../shared/logs/policy';
import { SECRET_MESSAGES, SECRETS } from '../../support/logs-samples';

const defaults = redactorFor(defaultLogsPolicy().redaction);

describe('redact', () => {
  it.each([
    ['an AWS access key id', `key AKIAIOSFODNN7EXAMPLE in use`, 'key [REDACTED:aws-access-key] in use'],
    ['a temporary access key id', `creds ASIAY34FZKBOKMUTVV7A expired`, 'creds [REDACTED:aws-access-key] expired'],
    ['a bearer token', 'Authorization: Bearer abc.def-ghi_jkl=', 'Authorization: Bearer [REDACTED]'],
    ['a password in key=value', 'login user=bob password=hunter2 ok', 'login user=bob password=[REDACTED] ok'],
    ['a prefixed secret key', 'db_password: s3cr3t; next', 'db_password: [REDACTED]; next'],
    ['an API key', 'x_api_key=0123456789abcdef&y=1', 'x_api_key=[REDACTED]&y=1'],
    ['a token', 'refresh_token=r1.abc token: t0k3n', 'refresh_token=[REDACTED] token: [REDACTED]'],
    ['an unquoted Basic authorization header', 'authorization: Basic dXNlcjpwYXNz next', 'authorization: Basic [REDACTED] next'],
    ['a Basic authorization header', '{"authorization": "Basic dXNlcjpwYXNz", "path": "/"}', '{"authorization": "[REDACTED]", "path": "/"}'],
    ['a quoted JSON password, spaces and escapes included', '{"password": "a \\"quoted\\" pass", "user":"bob"}', '{"password": "[REDACTED]", "user":"bob"}'],
    ['an AWS secret access key', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY next', 'aws_secret_access_key=[REDACTED] next'],
    ['an AWS secret access key as the environment names it', 'AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY: [REDACTED]'],
    ['STS credentials as JSON', '{"AccessKeyId":"x","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"FwoG"}', '{"AccessKeyId":"x","SecretAccessKey":"[REDACTED]","SessionToken":"[REDACTED]"}'],
    ['a secret key', 'secret_key=s3cr3t secretKey: s3cr3t', 'secret_key=[REDACTED] secretKey: [REDACTED]'],
    ['a password in a dict as Python prints it', "config {'db_password': 'hunter 2', 'host': 'db'}", "config {'db_password': '[REDACTED]', 'host': 'db'}"],
    ['a single-quoted password with a space', "login password='hunter 2' ok", "login password='[REDACTED]' ok"],
    ['a JSON secret that is a number or null, keeping the JSON valid', '{"msg":"generated","token":50256,"pwd": null}', '{"msg":"generated","token":"[REDACTED]","pwd": "[REDACTED]"}'],
    ['the password of a connection string', 'connect postgres://app:s3cr3t@db:5432/retail failed', 'connect postgres://app:[REDACTED]@db:5432/retail failed'],
    ['the password of a URL to an address', 'POST https://elastic:changeme@10.0.0.7:9200/_bulk', 'POST https://elastic:[REDACTED]@10.0.0.7:9200/_bulk'],
    ['a password without a user', 'cache redis://:p4ss@redis:6379/0', 'cache redis://:[REDACTED]@redis:6379/0'],
    ['the credential after an authorization scheme other than Basic', 'Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b next', 'Authorization: Token [REDACTED] next'],
    ['a Splunk HEC token header', 'authorization=Splunk 12345678-1234-1234-1234-1234567890AB', 'authorization=Splunk [REDACTED]'],
    ['an e-mail address', 'sent to jane.doe+ml@example.co.uk today', 'sent to [REDACTED:email] today'],
    ['a URL-encoded e-mail address', 'GET /v1/users?email=jane.doe%2Bml%40example.co.uk&page=2', 'GET /v1/users?email=[REDACTED:email]&page=2'],
  ])('removes %s', (_what, message, expected) => {
    expect(redact(message, defaults)).toBe(expected);
  });

  it('leaves clean lines alone and returns the very same string', () => {
    const line = '{"level":"INFO","message":"Inference completed","latency_ms":48.2,"max_tokens":5}';
    expect(redact(line, defaults)).toBe(line);
  });

  it('leaves no secret of the samples behind, and keeps redacted JSON parseable', () => {
    for (const message of SECRET_MESSAGES) {
      const clean = redact(message, defaults);
      for (const secret of Object.values(SECRETS)) expect(clean).not.toContain(secret);
      if (message.startsWith('{')) expect(() => JSON.parse(clean)).not.toThrow();
    }
  });

  it('can be narrowed to some built-ins and extended with custom patterns', () => {
    const policy = logsPolicySchema.parse({
      redaction: { builtins: ['aws-access-key'], custom: [{ name: 'card', pattern: '\\b\\d{4}(?:[ -]?\\d{4}){3}\\b', replacement: '[CARD]' }] },
    });
    const redactor = redactorFor(policy.redaction);
    expect(redactor.hint).toBeUndefined(); // a custom rule without a hint: every rule runs
    expect(redact('paid with 4111 1111 1111 1111 by jane@example.com', redactor)).toBe('paid with [CARD] by jane@example.com');
    expect(redact('AKIAIOSFODNN7EXAMPLE', redactor)).toBe('[REDACTED:aws-access-key]');
  });

  it('takes out a URL\'s password with the password rule alone, whose hint must let the line through', () => {
    const redactor = redactorFor(logsPolicySchema.parse({ redaction: { builtins: ['password'] } }).redaction);
    expect(redactor.hint).toBeDefined();
    expect(redact('connect postgres://app:s3cr3t@db:5432/retail', redactor)).toBe('connect postgres://app:[REDACTED]@db:5432/retail');
  });

  it('does nothing when every rule is turned off', () => {
    const none = compileRedactor([]);
    expect(redact(`password=${SECRETS.password}`, none)).toBe(`password=${SECRETS.password}`);
  });

  it('is safe to reuse: global expressions keep no state between messages', () => {
    const twice = ['a@example.com', 'b@example.com'].map((m) => redact(m, defaults));
    expect(twice).toEqual(['[REDACTED:email]', '[REDACTED:email]']);
  });
});

describe('redact on long lines', () => {
  // Each of these took over a second per 20,000 characters when matches could start anywhere in a run.
  const run = 'a'.repeat(200_000);

  it('scans a long run of word characters once, for keys and for e-mail addresses', () => {
    expect(redact(`key ${run} password=x`, defaults)).toBe(`key ${run} password=[REDACTED]`);
    expect(redact(`@ ${run} mail jane@example.com`, defaults)).toBe(`@ ${run} mail [REDACTED:email]`);
    expect(redact(`%40 ${'a%40'.repeat(50_000)} mail jane%40example.com`, defaults)).toContain(' mail [REDACTED:email]');
  });

  it('scans a long run of scheme characters once for a URL\'s password', () => {
    const dotted = 'a.'.repeat(100_000);
    expect(redact(`${dotted} https://u:p@h/`, defaults)).toBe(`${dotted} https://u:[REDACTED]@h/`);
    expect(redact(`${'x://'.repeat(50_000)}u:p@h`, defaults)).toContain('u:[REDACTED]@h');
  });
});

// What a reader of the forwarded JSON can get back: every JSON escape decoded, level after level
// (each sequence decoded by JSON.parse itself, independently of the code under test).
const decodedAllTheWay = (text: string): string => {
  let view = text;
  for (let level = 0; level < 10; level++) view = view.replace(/\\u[0-9A-Fa-f]{4}|\\["\\/bfnrt]/g, (escape) => JSON.parse(`"${escape}"`) as string);
  return view;
};

describe('redact and JSON escapes', () => {
  it.each([
    ['a JSON password inside an escaped JSON string', '{"msg":"login body {\\"password\\":\\"hunter2\\"}"}', 'hunter2'],
    ['the same, two levels deep', '{"log":"{\\"body\\":\\"{\\\\\\"password\\\\\\":\\\\\\"hunter2\\\\\\"}\\"}"}', 'hunter2'],
    ['an e-mail address with its @ escaped', '{"msg":"mail to jane\\u0040example.com","level":"info"}', 'jane@example.com'],
    ['a password key spelt with an escape', '{"p\\u0061ssword":"hunter2"}', 'hunter2'],
    ['a bearer token after an escaped space', '{"note":"retried with Bearer\\u0020abc.def"}', 'abc.def'],
    ['an escaped secret in a labelled JSON message', '2026-03-02 09:00:01,000 [ERROR] API Error: {"body":"{\\"api_key\\":\\"k-123\\"}"}', 'k-123'],
  ])('takes out %s, in every decoding of what is forwarded', (_what, message, secret) => {
    expect(decodedAllTheWay(message)).toContain(secret); // the sample does hide it
    const clean = redact(message, defaults);
    expect(clean).not.toBe(message);
    expect(clean).not.toContain(secret);
    expect(decodedAllTheWay(clean)).not.toContain(secret);
  });

  it('leaves a message whose escapes hide nothing as the very same string, its JSON intact', () => {
    const line = '{"level":"info","message":"saved to C:\\\\temp\\\\model.bin","quote":"say \\"hi\\"","emoji":"\\ud83d\\ude00"}';
    expect(redact(line, defaults)).toBe(line);
    expect(() => JSON.parse(line)).not.toThrow();
  });

  it('still redacts what the escaped text shows, and keeps its JSON when the escapes hide nothing more', () => {
    const line = '{"msg":"say \\"hi\\"","password":"hunter2"}';
    expect(redact(line, defaults)).toBe('{"msg":"say \\"hi\\"","password":"[REDACTED]"}');
  });

  it('unescapes every JSON escape sequence once', () => {
    expect(unescapeJson('a\\"b\\\\c\\/d\\n\\t\\u0040\\x')).toBe('a"b\\c/d\n\t@\\x');
  });

  it('stays linear on a long run of backslashes', () => {
    const run = `{"msg":"${'\\\\'.repeat(50_000)} jane\\u0040example.com"}`;
    expect(decodedAllTheWay(redact(run, defaults))).not.toContain('jane@example.com');
  });
});
