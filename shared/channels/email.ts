// Adapter: publishes a formatted alarm email to the SNS topic whose subscriptions are people's inboxes.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { lazyClient } from '../aws/lazy-client';
import { DeliveryError, errorMessage } from '../errors';
import type { EmailMessage } from '../notify/format/email';

// Created on the first email: a stage or alarm that routes none never builds it. Pure, so a bundle that
// imports the channel clients but never emails (the remediations, the digest) drops it and the SNS SDK.
const sns = /* @__PURE__ */ lazyClient(() => new SNSClient({ maxAttempts: 3 }));

/** Publishes the email; throws a DeliveryError (retryable unless SNS refused the request as invalid). */
export async function publishEmail(topicArn: string, message: EmailMessage, client: SNSClient = sns()): Promise<{ messageId?: string }> {
  try {
    const out = await client.send(new PublishCommand({ TopicArn: topicArn, Subject: message.subject, Message: message.body }));
    return { messageId: out.MessageId };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = error instanceof Error ? error.name : 'Error';
    // The SDK has already retried throttling and 5xx; what is left is retried by Lambda unless it is a refusal.
    const permanent = ['InvalidParameterException', 'InvalidParameterValueException', 'AuthorizationErrorException', 'NotFoundException'].includes(name);
    throw new DeliveryError(`email (SNS): ${name}: ${errorMessage(error)}`, { retryable: !permanent, status, cause: error });
  }
}
