-- Version 2: which daemon wrote the current results (several daemons may
-- share one results database; one writes at a time), and warnings by code
-- for the operator's dashboards.
ALTER TABLE run_meta ADD COLUMN written_by VARCHAR(255) NOT NULL DEFAULT '';
CREATE INDEX warnings_code ON warnings (code, cleared_at);
