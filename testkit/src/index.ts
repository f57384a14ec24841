export { testInfra, uniqueName, createTestTopic, createTestBucket, type TestInfra } from './testing.ts';
export { sleep, eventually } from './wait.ts';
export { capturedLogger } from './log-capture.ts';
export { startTestServices, type TestServices, type TestServicesOptions } from './test-services.ts';
export { startTestStack, type TestStack } from './test-stack.ts';
