/**
 * Shapes of the Kafka Connect REST API (Kafka 3.5 – 4.1) as far as `cdc` uses them.
 * Field names follow the wire format, so these are never printed as-is: commands map them
 * into their own `--json` contracts.
 */
export type ConnectorConfig = Record<string, string>;

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';

export interface ServerInfo {
  version: string;
  commit?: string;
  kafka_cluster_id?: string;
}

export interface StateInfo {
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- the known states, and any a newer worker reports
  state: ConnectorState | string;
  worker_id?: string;
  trace?: string;
}

export interface TaskStateInfo extends StateInfo {
  id: number;
}

export interface ConnectorStatus {
  name: string;
  connector: StateInfo;
  tasks: TaskStateInfo[];
  type?: string;
}

export interface ConnectorInfo {
  name: string;
  config: ConnectorConfig;
  tasks: { connector: string; task: number }[];
  type?: string;
}

/** GET /connectors?expand=status&expand=info */
export type ExpandedConnectors = Record<string, { status?: ConnectorStatus; info?: ConnectorInfo }>;

export interface PluginInfo {
  class: string;
  type: string;
  version?: string;
}

export interface ConfigKeyDefinition {
  name: string;
  type: string;
  required?: boolean;
  default_value?: string | null;
  importance?: string;
  documentation?: string;
  group?: string | null;
  order?: number;
  width?: string;
  display_name?: string;
  dependents?: string[];
}

export interface ConfigValidation {
  name: string;
  error_count: number;
  groups?: string[];
  configs: {
    definition: ConfigKeyDefinition;
    value: { name: string; value: string | null; recommended_values?: string[]; errors: string[]; visible?: boolean };
  }[];
}

export interface ConnectorOffsets {
  offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[];
}
