"""The AWS account of the system suite: moto in server mode, with its known gaps closed here and only here.

    python3 moto_server.py --port 0 --lambda-service http://127.0.0.1:<port> --audit <file.jsonl>

moto 5.x emulates the APIs Firebreak calls, but not everything a real account does. Each patch below
names the gap it closes and why closing it does not make the suite prove less than it says:

1. Delivery to Lambda. moto runs Lambda code in Docker (absent here) and hands a function a fixed,
   fake SNS record (same MessageId every time, topic `arn:aws:sns:EXAMPLE`). Instead, SNS deliveries
   to `lambda` subscriptions (after moto's own filter-policy matching) and CloudWatch Logs
   subscription deliveries (event ids as CloudWatch writes them: strings of 56 digits, where moto's
   are integers) are posted to the suite's Lambda service, which runs the function's
   deployed artifact under its own role. SNS `email` deliveries are posted there too, as the mailbox.
2. CloudWatch's IAM prefix. Requests to CloudWatch are signed for the service `monitoring`, and moto
   names the action after the signing name (`monitoring:GetMetricData`); IAM's prefix is `cloudwatch`.
3. DynamoDB transactions. moto asks for `dynamodb:TransactWriteItems`, an action IAM does not have;
   AWS authorises each item of a transaction as its own PutItem, UpdateItem, DeleteItem or
   ConditionCheckItem, which is what is checked here.
4. `Service` principals. moto's trust-policy check crashes on `Principal: {Service: ...}`. The suite's
   Lambda service signs as the IAM user `lambda.amazonaws.com` (see LAMBDA_SERVICE_USER); a
   statement naming the Lambda service principal lets that user, and only it, assume the role.
5. Resources. moto evaluates most actions against `Resource: "*"`. For the services whose calls
   name their resource in the request (DynamoDB tables, SSM parameters, SNS topics, SQS queues, log
   groups, EKS clusters and node groups, Auto Scaling groups, CloudWatch alarms, invoked Lambda
   functions), the resource ARN is
   computed from the request so the roles' resource scoping is checked. A statement scoped to a
   resource would otherwise never match `*`, and a statement of `Resource: "*"` would match anything.
6. CloudWatch GetMetricData. moto matches a metric without dimensions against every metric of that
   name, one with dimensions against any namespace, and evaluates no metric math. Here a MetricStat
   matches namespace, name and the exact dimension set, as CloudWatch does, and arithmetic
   expressions (+ - * /, parentheses, numbers, query ids) are evaluated per timestamp; percentiles are
   computed (moto has none) over the raw values of each period.
7. Signatures over REST paths. moto recomputes SigV4 over the already-decoded path, so a request whose
   path holds an escaped character fails as SignatureDoesNotMatch (the framework's artifact keys in S3
   hold `:`); the path is re-encoded as the client signed it.
8. Composite alarms. moto stores a composite alarm (an alarm with an AlarmRule) but implements no
   PutCompositeAlarm action; the action is routed to its PutMetricAlarm, which reads the rule.
9. Inline policies of roles that CloudFormation made are stored as objects, which moto's authoriser
   cannot read (KeyError 'policy_document'); they are read as the documents they are.
10. EKS managed node groups. moto names a node group's Auto Scaling group `eks-<uuid>` and creates
    none; EKS names it `eks-<nodegroup>-<uuid>` (the template scopes SetDesiredCapacity by that
    pattern). The name is made EKS's way here; the suite creates the group in Auto Scaling.
11. DynamoDB under concurrency. moto's server is threaded, and its TransactWriteItems is neither
    atomic nor isolated (it copies the table, applies items one by one, and restores the copy on a
    cancelled condition, undoing other requests' writes). Each DynamoDB request is applied under one
    lock, as DynamoDB serialises conflicting writes; requests still arrive concurrently and interleave.
12. `$or` in message-body filter policies. moto evaluates the alternatives of an `$or` with its
    attribute matcher, which fails on a body's values (TypeError, KeyError) and on nested keys, and
    counts the policy's complexity as a product over the alternatives where SNS sums them (so it
    refuses policies SNS accepts). A policy with an `$or` is multiplied out into the `$or`-free
    policies it stands for (the SNS developer guide's "AND/OR logic" reads it so), each validated
    and matched by moto's own code; a message matches when one of them does, and the sum of their
    complexities (values times nesting level, per key) is held to SNS's 150. Nothing is matched that
    one of moto's own checks would not match; a key an `$or` would constrain twice fails loudly.
13. Asynchronous invocations through the Lambda API. moto's Invoke runs the function in Docker (absent
    here) and answers an `InvocationType: Event` call with 202 whatever became of it, so an operator's
    replay (`firebreak replay --yes`) would be accepted and never run. An Event invocation is handed to
    the suite's Lambda service instead, as gap 1 hands it SNS and CloudWatch Logs deliveries: the
    function's deployed artifact runs under its own role, with its retries and its on-failure
    destination, exactly as for those. moto still authenticates and authorises the caller (moto names
    the action `lambda:Invoke`; it is checked here as IAM's `lambda:InvokeFunction` on the function's
    ARN, as gap 5 does for other services, so slackActions' grant to invoke itself alone is what lets
    it; the replaying operator is the suite's administrator) and resolves the function first (an
    unknown one is refused as Lambda refuses it, ResourceNotFoundException); the 202 is answered only
    once the service took the event. Other invocation types keep moto's own behaviour; nothing in the
    suite uses them.
14. CloudWatch GetMetricWidgetImage. moto does not implement it (the graphs of the Slack app's
    threads). It answers here with a valid 1x1 PNG after checking that the MetricWidget is JSON with
    `metrics`, and the widget as the caller sent it is posted to the suite's Lambda service
    (`/metric-widget-image`, with the caller's access key), so a scenario compares it with the deployed
    alarm's definition. The image is not a drawing of the data: what the suite proves is which metric,
    statistic, period and window were asked for; CloudWatch's drawing is CloudWatch's.
15. Function URLs in CloudFormation. moto's CloudFormation has no model for `AWS::Lambda::Url` (the
    Slack app's request URL), so the stack's `SlackActionsLambdaFunctionUrl` output, which reads its
    `FunctionUrl`, fails DescribeStacks with an internal error. The resource is created here through
    moto's own CreateFunctionUrlConfig, with the template's AuthType, and answers `FunctionUrl` and
    `FunctionArn` as CloudFormation does. Nothing calls the URL in the suite (slackActions' requests are
    handed to its handler as the Function URL's event); its resource policy is not evaluated (gap 5).

Every authorisation decision (principal, action, resource, allowed) is appended to the audit file:
the suite asserts no AccessDenied and that every permission a role ships was used.
"""

import argparse
import base64
import json
import re
import sys
import threading
import urllib.request
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from moto import settings
from moto.cloudwatch import models as cloudwatch_models
from moto.core import authorization
from moto.iam import access_control
from moto.server import main as moto_main
from moto.sns import models as sns_models

LAMBDA_SERVICE_USER = "lambda.amazonaws.com"

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--lambda-service", required=True)
parser.add_argument("--audit", required=True)
args = parser.parse_args()

_audit_lock = threading.Lock()


def _audit(record: dict[str, Any]) -> None:
    with _audit_lock, open(args.audit, "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def _post(path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        args.lambda_service + path,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


# 1. Delivery to Lambda (and the email mailbox) ---------------------------------------------------
_original_subscription_publish = sns_models.Subscription.publish


def _subscription_publish(self: Any, message: str, message_id: str, subject: str | None = None,
                          message_attributes: dict[str, Any] | None = None, *rest: Any, **kw: Any) -> None:
    if self.protocol not in ("lambda", "email", "email-json"):
        return _original_subscription_publish(self, message, message_id, subject, message_attributes, *rest, **kw)
    if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(message_attributes, message):
        return None
    region = self.topic.arn.split(":")[3]
    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": self.arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": self.topic.arn,
            "Subject": subject,
            "Message": message,
            "Timestamp": datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "SignatureVersion": "1",
            "Signature": "EMULATED",
            "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-emulated.pem",
            "UnsubscribeUrl": f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={self.arn}",
            "MessageAttributes": {
                name: {"Type": value["Type"], "Value": value["Value"]} for name, value in (message_attributes or {}).items()
            },
        },
    }
    if self.protocol == "lambda":
        _post("/invoke", {"functionArn": self.endpoint, "source": "sns", "event": {"Records": [record]}})
    else:
        _post("/mail", {"endpoint": self.endpoint, "topicArn": self.topic.arn, "subject": subject, "message": message})
    return None


sns_models.Subscription.publish = _subscription_publish


def _send_log_event(self: Any, function_arn: str, filter_name: str, log_group_name: str,
                    log_stream_name: str, log_events: Any) -> None:
    import gzip

    # CloudWatch Logs gives each event a string id of 56 digits; moto's are integers.
    events = [{**event, "id": str(event["id"]).rjust(56, "0")} for event in log_events]
    data = {
        "messageType": "DATA_MESSAGE",
        "owner": self.account_id,
        "logGroup": log_group_name,
        "logStream": log_stream_name,
        "subscriptionFilters": [filter_name],
        "logEvents": events,
    }
    payload = base64.b64encode(gzip.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"))).decode("ascii")
    _post("/invoke", {"functionArn": function_arn, "source": "logs", "event": {"awslogs": {"data": payload}}})


from moto.awslambda.models import LambdaBackend  # noqa: E402

LambdaBackend.send_log_event = _send_log_event


# 2-5. IAM ---------------------------------------------------------------------------------------
_original_request_init = access_control.IAMRequestBase.__init__


def _request_init(self: Any, *a: Any, **kw: Any) -> None:
    _original_request_init(self, *a, **kw)
    if self._action.startswith("monitoring:"):
        self._action = "cloudwatch:" + self._action[len("monitoring:"):]
    if self._action == "lambda:Invoke":  # gap 13
        self._action = "lambda:InvokeFunction"


access_control.IAMRequestBase.__init__ = _request_init


def _body_json(request: Any) -> dict[str, Any]:
    try:
        return json.loads(request._body or b"{}")
    except (ValueError, TypeError):
        return {}


def _param(request: Any, name: str) -> str | None:
    value = request._data.get(name) if isinstance(request._data, dict) else None
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        value = _body_json(request).get(name)
    return value if isinstance(value, str) else None


def _resource_of(request: Any, account: str) -> str:
    """The ARN a request acts on, for the services whose requests name it; `*` otherwise."""
    service, action = request._action.split(":", 1)
    region = request._region
    prefix = f"arn:aws:{service}:{region}:{account}"
    if service == "dynamodb":
        table = _param(request, "TableName")
        return f"{prefix}:table/{table}" if table else "*"
    if service == "ssm":
        name = _param(request, "Name") or _param(request, "Path")
        if name:
            return f"{prefix}:parameter{name if name.startswith('/') else '/' + name}"
        return "*"
    if service == "sns" and action == "Publish":
        return _param(request, "TopicArn") or "*"
    if service == "sqs":
        url = _param(request, "QueueUrl")
        return f"{prefix}:{url.rstrip('/').split('/')[-1]}" if url else "*"
    if service == "eks":
        match = re.match(r"^/clusters/([^/?]+)(?:/node-groups/([^/?]+))?", unquote(request._path))
        if not match:
            return "*"
        cluster, nodegroup = match.groups()
        if nodegroup is None:
            return f"{prefix}:cluster/{cluster}"
        from moto.eks.models import eks_backends

        try:
            return eks_backends[account][region].clusters[cluster].nodegroups[nodegroup].arn
        except KeyError:
            return f"{prefix}:nodegroup/{cluster}/{nodegroup}/unknown"
    if service == "autoscaling" and action == "SetDesiredCapacity":
        from moto.autoscaling.models import autoscaling_backends

        group = autoscaling_backends[account][region].autoscaling_groups.get(_param(request, "AutoScalingGroupName") or "")
        return group.arn if group else "*"
    if service == "cloudwatch" and action == "DescribeAlarms":
        return f"{prefix}:alarm:*"
    if service == "lambda" and action == "InvokeFunction":
        match = re.match(r"^/[^/]+/functions/([^/?]+)/invocations", unquote(request._path))
        if not match:
            return "*"
        function = match.group(1)
        return function if function.startswith("arn:") else f"{prefix}:function:{function}"
    if service == "logs":
        group = _param(request, "logGroupName")
        stream = _param(request, "logStreamName")
        if group and stream:
            return f"{prefix}:log-group:{group}:log-stream:{stream}"
        return f"{prefix}:log-group:{group}" if group else "*"
    return "*"


_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
_original_check = access_control.IAMRequestBase.check_action_permitted


def _check_action_permitted(self: Any, resource: str) -> None:
    account = self.account_id
    checks: list[tuple[str, str]] = []
    if self._action == "dynamodb:TransactWriteItems":
        for item in _body_json(self).get("TransactItems", []):
            for kind, operation in item.items():
                table = operation.get("TableName", "")
                checks.append((f"dynamodb:{_TRANSACT_ACTIONS.get(kind, kind)}", f"arn:aws:dynamodb:{self._region}:{account}:table/{table}"))
    else:
        checks.append((self._action, resource if resource != "*" else _resource_of(self, account)))
    requested = self._action
    try:
        for action, arn in checks:
            self._action = action
            try:
                _original_check(self, arn)
            except Exception as error:
                _audit({"principal": self._access_key.arn, "action": action, "resource": arn, "allowed": False,
                        "error": f"{type(error).__name__}: {error}"})
                raise
            _audit({"principal": self._access_key.arn, "action": action, "resource": arn, "allowed": True})
    finally:
        self._action = requested


access_control.IAMRequestBase.check_action_permitted = _check_action_permitted

_original_policy_init = access_control.IAMPolicy.__init__


def _policy_init(self: Any, policy: Any) -> None:
    if isinstance(policy, dict) and "Statement" in policy:
        policy = json.dumps(policy)
    _original_policy_init(self, policy)


access_control.IAMPolicy.__init__ = _policy_init

_original_check_principal = access_control.IAMPolicyStatement._check_principal


def _check_principal(self: Any, principal: str) -> bool:
    expected = self._statement.get("Principal")
    if isinstance(expected, dict) and "Service" in expected and "AWS" not in expected:
        services = expected["Service"] if isinstance(expected["Service"], list) else [expected["Service"]]
        return principal.endswith(f":user/{LAMBDA_SERVICE_USER}") and LAMBDA_SERVICE_USER in services
    return _original_check_principal(self, principal)


access_control.IAMPolicyStatement._check_principal = _check_principal


# 10. EKS node groups' Auto Scaling groups ---------------------------------------------------------
from moto.eks import models as eks_models  # noqa: E402

_original_nodegroup_init = eks_models.Nodegroup.__init__


def _nodegroup_init(self: Any, *a: Any, **kw: Any) -> None:
    _original_nodegroup_init(self, *a, **kw)
    self.resources["autoScalingGroups"] = [{"name": f"eks-{self.nodegroup_name}-{self.uuid}"}]


eks_models.Nodegroup.__init__ = _nodegroup_init


# 6. GetMetricData ---------------------------------------------------------------------------------
def _matches(datum: Any, namespace: str, name: str, dimensions: list[dict[str, str]], unit: str | None) -> bool:
    if datum.namespace != namespace or datum.name != name:
        return False
    if sorted((d.name, d.value) for d in datum.dimensions) != sorted((d["Name"], d["Value"]) for d in dimensions):
        return False
    return unit is None or datum.unit == unit


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][A-Za-z0-9_]*)|(.))")


def _evaluate(expression: str, series: dict[str, dict[datetime, float]]) -> dict[datetime, float]:
    """Arithmetic over query ids, per timestamp; a timestamp missing from any operand has no value."""
    tokens = [m.groups() for m in _TOKEN.finditer(expression) if m.group(0).strip()]
    position = 0

    def peek() -> str | None:
        return tokens[position][2] if position < len(tokens) and tokens[position][2] else None

    def atom() -> Any:
        nonlocal position
        number, ident, op = tokens[position]
        position += 1
        if number:
            return float(number)
        if ident:
            if ident not in series:
                raise ValueError(f"unknown id {ident} in expression {expression!r}")
            return series[ident]
        if op == "(":
            value = additive()
            position += 1
            return value
        if op == "-":
            return combine(-1.0, atom(), "*")
        raise ValueError(f"unsupported metric math {expression!r} (only + - * / and ids here)")

    def combine(left: Any, right: Any, op: str) -> Any:
        def apply(x: float, y: float) -> float | None:
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            return None if y == 0 else x / y

        if isinstance(left, float) and isinstance(right, float):
            return apply(left, right)
        keys = (left.keys() if isinstance(left, dict) else set()) | (right.keys() if isinstance(right, dict) else set())
        out = {}
        for key in keys:
            x = left.get(key) if isinstance(left, dict) else left
            y = right.get(key) if isinstance(right, dict) else right
            if x is None or y is None:
                continue
            value = apply(x, y)
            if value is not None:
                out[key] = value
        return out

    def multiplicative() -> Any:
        nonlocal position
        value = atom()
        while peek() in ("*", "/"):
            op = peek()
            position += 1
            value = combine(value, atom(), op)
        return value

    def additive() -> Any:
        nonlocal position
        value = multiplicative()
        while peek() in ("+", "-"):
            op = peek()
            position += 1
            value = combine(value, multiplicative(), op)
        return value

    result = additive()
    if position != len(tokens):
        raise ValueError(f"unsupported metric math {expression!r}")
    return result if isinstance(result, dict) else {}


def _statistic(name: str, values: list[float]) -> float:
    """CloudWatch's statistics, including percentiles (nearest rank), over one period's raw values."""
    if name == "Average":
        return sum(values) / len(values)
    if name == "Sum":
        return sum(values)
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name == "SampleCount":
        return float(len(values))
    match = re.fullmatch(r"p(\d{1,2}(?:\.\d+)?)", name)
    if match:
        import math

        ordered = sorted(values)
        rank = max(1, math.ceil(float(match.group(1)) / 100 * len(ordered)))
        return ordered[rank - 1]
    raise cloudwatch_models.ValidationError(f"the emulator does not compute statistic {name}")


def _get_metric_data(self: Any, queries: list[dict[str, Any]], start_time: datetime, end_time: datetime,
                     scan_by: str = "TimestampAscending") -> list[dict[str, Any]]:
    from datetime import timedelta

    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    if start_time >= end_time:
        raise cloudwatch_models.ValidationError("The parameter EndTime must be greater than StartTime.")
    data = [md for md in self.get_all_metrics() if start_time <= md.timestamp < end_time]
    series: dict[str, dict[datetime, float]] = {}
    for query in queries:
        if "MetricStat" not in query:
            continue
        stat = query["MetricStat"]
        metric = stat["Metric"]
        delta = timedelta(seconds=int(stat["Period"]))
        selected = [md for md in data if _matches(md, metric["Namespace"], metric["MetricName"], metric.get("Dimensions", []), stat.get("Unit"))]
        points: dict[datetime, float] = {}
        # CloudWatch's periods start on multiples of the period.
        epoch = datetime(1970, 1, 1, tzinfo=start_time.tzinfo)
        seconds = int(stat["Period"])
        bucket = epoch + timedelta(seconds=((start_time - epoch).total_seconds() // seconds) * seconds)
        while bucket < end_time:
            values = [float(md.value) for md in selected if bucket <= md.timestamp < bucket + delta and getattr(md, "value", None) is not None]
            if values:
                points[bucket] = _statistic(stat["Stat"], values)
            bucket += delta
        series[query["Id"]] = points
    for query in queries:
        if "Expression" in query:
            series[query["Id"]] = _evaluate(query["Expression"], series)
    results = []
    for query in queries:
        if not query.get("ReturnData", True):
            continue
        points = series.get(query["Id"], {})
        stamps = sorted(points, reverse=scan_by == "TimestampDescending")
        label = query.get("Label") or query["Id"]
        results.append({"id": query["Id"], "label": label, "values": [points[t] for t in stamps], "timestamps": stamps, "status_code": "Complete"})
    return results


cloudwatch_models.CloudWatchBackend.get_metric_data = _get_metric_data


# 8. Composite alarms ------------------------------------------------------------------------------
from moto.cloudwatch.responses import CloudWatchResponse  # noqa: E402

CloudWatchResponse.put_composite_alarm = CloudWatchResponse.put_metric_alarm

# 14. GetMetricWidgetImage --------------------------------------------------------------------------
# A 1x1 transparent PNG.
_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _get_metric_widget_image(self: Any) -> Any:
    from moto.cloudwatch.exceptions import ValidationError
    from moto.core.responses import ActionResult

    raw = self._get_param("MetricWidget")
    try:
        widget = json.loads(raw)
    except (TypeError, ValueError):
        raise ValidationError("The parameter MetricWidget must be a JSON document.")
    if not isinstance(widget, dict) or not isinstance(widget.get("metrics"), list) or not widget["metrics"]:
        raise ValidationError("The parameter MetricWidget must name metrics.")
    _post("/metric-widget-image", {"widget": widget, "outputFormat": self._get_param("OutputFormat")})
    return ActionResult({"MetricWidgetImage": _PNG})


CloudWatchResponse.get_metric_widget_image = _get_metric_widget_image


# 15. Function URLs in CloudFormation ---------------------------------------------------------------
from moto.cloudformation import parsing as cloudformation_parsing  # noqa: E402
from moto.core.common_models import CloudFormationModel  # noqa: E402


class _FunctionUrl(CloudFormationModel):
    # moto files every model under the service its module names (moto.<service>.models).
    __module__ = "moto.awslambda.models"

    def __init__(self, url: Any) -> None:
        self.url = url

    @property
    def physical_resource_id(self) -> str:
        return self.url.function.function_arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Url"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("FunctionUrl", "FunctionArn")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.url.url if attribute_name == "FunctionUrl" else self.url.function.function_arn

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "_FunctionUrl":
        from moto.awslambda.models import lambda_backends

        properties = cloudformation_json["Properties"]
        config = {key: properties[key] for key in ("AuthType", "Cors", "InvokeMode") if key in properties}
        url = lambda_backends[account_id][region_name].create_function_url_config(properties["TargetFunctionArn"], config)
        return cls(url)


# The model list is computed once; it may have been read while moto was imported.
cloudformation_parsing.get_model_list.cache_clear()
cloudformation_parsing.get_model_map.cache_clear()
cloudformation_parsing.get_name_type_map.cache_clear()


# 7. Signatures over REST paths ---------------------------------------------------------------------
_original_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _create_aws_request(self: Any) -> Any:
    path, _, query = self._path.partition("?")
    encoded = quote(unquote(path), safe="/~")
    if encoded != path:
        self._path = encoded + ("?" + query if query else "")
    return _original_create_aws_request(self)


access_control.IAMRequestBase._create_aws_request = _create_aws_request

# 11. DynamoDB requests one at a time --------------------------------------------------------------
from moto.dynamodb.responses import DynamoHandler  # noqa: E402

_dynamodb_lock = threading.Lock()
_original_dynamodb_call_action = DynamoHandler.call_action


def _dynamodb_call_action(self: Any) -> Any:
    with _dynamodb_lock:
        return _original_dynamodb_call_action(self)


DynamoHandler.call_action = _dynamodb_call_action

# 12. `$or` in message-body filter policies -------------------------------------------------------------
from moto.sns import exceptions as sns_exceptions  # noqa: E402
from moto.sns import utils as sns_utils  # noqa: E402

# Match keywords: an `$or` whose objects use one as a key is not the operator but a key named `$or` (SNS's rule).
_FILTER_KEYWORDS = {"prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr", "wildcard"}


def _is_or(key: str, value: Any) -> bool:
    return key == "$or" and isinstance(value, list) and len(value) >= 2 and all(
        isinstance(v, dict) and not set(v) & _FILTER_KEYWORDS for v in value)


def _has_or(policy: Any) -> bool:
    return isinstance(policy, dict) and any(_is_or(k, v) or _has_or(v) for k, v in policy.items())


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    merged = dict(left)
    for key, value in right.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = _merge(merged[key], value)
        else:
            raise ValueError(f"emulator gap 12: the filter policy constrains {key} both inside and outside an $or")
    return merged


def _or_alternatives(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The `$or`-free policies a filter policy stands for: every `$or`, at any depth, multiplied out."""
    results: list[dict[str, Any]] = [{}]
    for key, value in policy.items():
        if _is_or(key, value):
            options = [alternative for member in value for alternative in _or_alternatives(member)]
        elif isinstance(value, dict):
            options = [{key: alternative} for alternative in _or_alternatives(value)]
        else:
            options = [{key: value}]
        results = [_merge(result, option) for result in results for option in options]
    return results


def _combinations(alternative: dict[str, Any], depth: int = 1) -> int:
    """SNS's complexity of an `$or`-free policy: per key, its number of values times its nesting level, multiplied."""
    product = 1
    for value in alternative.values():
        product *= _combinations(value, depth + 1) if isinstance(value, dict) else len(value) * depth
    return product


_original_validate_filter_policy = sns_models.SNSBackend._validate_filter_policy


def _validate_filter_policy(self: Any, value: Any, scope: str | None) -> None:
    if scope != "MessageBody" or not _has_or(value):
        return _original_validate_filter_policy(self, value, scope)
    alternatives = _or_alternatives(value)
    for alternative in alternatives:
        _original_validate_filter_policy(self, alternative, scope)
    if sum(_combinations(alternative) for alternative in alternatives) > 150:
        raise sns_exceptions.SNSInvalidParameter("Invalid parameter: FilterPolicy: Filter policy is too complex")
    return None


sns_models.SNSBackend._validate_filter_policy = _validate_filter_policy

_original_filter_matches = sns_utils.FilterPolicyMatcher.matches


def _filter_matches(self: Any, message_attributes: dict[str, Any] | None, message: str) -> bool:
    if self.filter_policy_scope != "MessageBody" or not _has_or(self.filter_policy):
        return _original_filter_matches(self, message_attributes, message)
    return any(
        _original_filter_matches(sns_utils.FilterPolicyMatcher(alternative, "MessageBody"), message_attributes, message)
        for alternative in _or_alternatives(self.filter_policy)
    )


sns_utils.FilterPolicyMatcher.matches = _filter_matches

# 13. Asynchronous invocations through the Lambda API ---------------------------------------------
_original_lambda_invoke = LambdaBackend.invoke


def _lambda_invoke(self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any,
                   response_headers: Any) -> Any:
    if headers.get("X-Amz-Invocation-Type") != "Event":
        return _original_lambda_invoke(self, function_name, qualifier, body, headers, response_headers)
    fn = self.get_function(function_name, qualifier)
    event = json.loads(body) if body else {}
    _post("/invoke", {"functionArn": fn.function_arn, "source": "invoke", "event": event})
    return b""


LambdaBackend.invoke = _lambda_invoke

# IAM starts unenforced so the suite can create its administrator and the Lambda service user; it then
# turns enforcement on for every later request (POST /moto-api/reset-auth with 0).
settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
authorization.ActionAuthenticatorMixin.request_count = 0

if __name__ == "__main__":
    sys.stdout.write(f"firebreak emulator: moto on port {args.port}\n")
    sys.stdout.flush()
    moto_main(["-H", "127.0.0.1", "-p", str(args.port)])
