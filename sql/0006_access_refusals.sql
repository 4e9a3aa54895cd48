-- Calls the scope access control refused. They change no item, so they are not events of the log (whose
-- every row replays into the projection); they are kept here, append-only, for the audit.
CREATE TABLE metadata_access_refusals (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  refused_at     timestamptz NOT NULL DEFAULT now(),
  principal      text,
  roles          text[] NOT NULL DEFAULT '{}',
  operation      text NOT NULL CHECK (operation IN ('read', 'create', 'update', 'delete')),
  type           varchar(100) NOT NULL,
  name           varchar(255),
  scope          varchar(50),
  owner          varchar(255),
  reason         text NOT NULL,
  source         text NOT NULL,
  correlation_id text
);
CREATE INDEX metadata_access_refusals_principal ON metadata_access_refusals (principal, refused_at);
CREATE INDEX metadata_access_refusals_refused_at ON metadata_access_refusals (refused_at);
