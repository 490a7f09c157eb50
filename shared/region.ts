// Domain: what an AWS region code looks like, for the settings and for alarm ARNs.

/**
 * A region code: an area of two letters or more, words, and a number. `us-east-1`, `us-gov-west-1`
 * and the European Sovereign Cloud's `eusc-de-east-1` all match (the SDK's partitions name them so).
 * Unanchored, to be composed into larger patterns.
 */
export const REGION_CODE = /[a-z]{2,}(?:-[a-z]+)+-\d+/;
