// Jest setup for every project: custom matchers for aws-sdk-client-mock.
import 'aws-sdk-client-mock-jest';
