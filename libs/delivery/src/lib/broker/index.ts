// The public names of the broker part (re-exported by the lib's index).
export { BrokerPublisher, BROKER_CURSOR_NAME, type BrokerStatus } from './broker-publisher';
export { brokerMessage, type BrokerMessage } from './broker-message';
export { maskBrokerUrl } from './broker-url';
