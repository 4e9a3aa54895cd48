-- The query projection, with the protocol's columns, defaults, constraint and indexes, plus version.
CREATE TABLE _framework_metadata (
  id VARCHAR(255) PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  type VARCHAR(100) NOT NULL,
  namespace VARCHAR(255) DEFAULT 'default',
  scope VARCHAR(50) DEFAULT 'platform',
  metadata JSONB NOT NULL,
  extends VARCHAR(255),
  strategy VARCHAR(50) DEFAULT 'merge',
  owner VARCHAR(255),
  state VARCHAR(50) DEFAULT 'active',
  created_by VARCHAR(255),
  created_at TIMESTAMP,
  updated_by VARCHAR(255),
  updated_at TIMESTAMP,
  version INTEGER NOT NULL DEFAULT 1,

  CONSTRAINT unique_type_name UNIQUE (type, name)
);

CREATE INDEX idx_namespace ON _framework_metadata(namespace);
CREATE INDEX idx_type ON _framework_metadata(type);
CREATE INDEX idx_scope ON _framework_metadata(scope);
CREATE INDEX idx_state ON _framework_metadata(state);
