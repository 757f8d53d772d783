/**
 * Kafka's connection settings are resolved by src/settings (`ctx.settings.kafka`); the types stay
 * importable from here for the Kafka layer's own modules.
 */
export type { KafkaSettings, SaslMechanism } from '../settings';
export { KAFKA_ENV, SASL_MECHANISMS } from '../settings/kafka';
