-- The demo store's console (INTERFACE.md, "The demo store"): run by
-- tfs_store_init on the new console database.  :now is bound to the time
-- of creation; every other parameter (:k1 ...) to a new random API key.
BEGIN;

-- DEMO has three tiers; SMALL, for small customers, two.
INSERT INTO groups(name, tiers, backup_type, description, mtime) VALUES
  ('DEMO', 'three-tier', 'live', 'Demo landscape group', :now),
  ('SMALL', 'two-tier', 'live',
   'Small customers: production and staging only', :now);

INSERT INTO landscapes(group_id, type, tenant_pattern, db_pattern,
                       email_domain, allow_all_backups, mtime) VALUES
  (1, 'production', '{tenantName}', '{dbName}', 'itsm.example.com', 0, :now),
  (1, 'staging', '{tenantName}.stg', '{dbName}-STG', 'stg.itsm.example.com',
   1, :now),
  (1, 'uat', '{tenantName}.uat', '{dbName}-UAT', 'uat.itsm.example.com',
   1, :now),
  (2, 'production', '{tenantName}', 'SB-{dbName}', 'small.itsm.example.com',
   0, :now),
  (2, 'staging', '{tenantName}.stg', 'SB-{dbName}-STG',
   'stg.small.itsm.example.com', 1, :now);

-- Their locations are set by tfs_store_init: directories in the store.
INSERT INTO servers(landscape_id, name, host, login, mtime) VALUES
  (1, 'sql-prod-01', 'sql-prod-01.itsm.example.com', 'tfs', :now),
  (1, 'sql-prod-02', 'sql-prod-02.itsm.example.com', 'tfs', :now),
  (2, 'sql-stg-01', 'sql-stg-01.itsm.example.com', 'tfs', :now),
  (3, 'sql-uat-01', 'sql-uat-01.itsm.example.com', 'tfs', :now),
  (4, 'sql-small-01', 'sql-small-01.itsm.example.com', 'tfs', :now),
  (5, 'sql-small-stg-01', 'sql-small-stg-01.itsm.example.com', 'tfs', :now);

-- admin is uid 0 (root); the others are mapped to uids by an administrator.
DELETE FROM users WHERE login = 'admin';
INSERT INTO users(login, name, company, administrator, email, uid, mtime)
VALUES
  ('admin', 'Operations Administrator', 'Hosting Provider', 1,
   'admin@hosting.example.com', 0, :now),
  ('gwen', 'Gwen Stacy', 'Globex Inc', 0, 'gwen.stacy@globex.example.com',
   NULL, :now),
  ('jdoe', 'Jane Doe', 'Acme Corporation', 0, 'jane.doe@acme.example.com',
   NULL, :now),
  ('mops', 'Max Ops', 'Hosting Provider', 1, 'max.ops@hosting.example.com',
   NULL, :now);

-- globex's development project is disabled.
INSERT INTO tenants(name, group_id, company, contact, dev_project, created,
                    mtime) VALUES
  ('acme', 1, 'Acme Corporation', 'Jane Doe <jane.doe@acme.example.com>', 1,
   :now, :now),
  ('globex', 2, 'Globex Inc', 'Gwen Stacy <gwen.stacy@globex.example.com>', 0,
   :now, :now);

-- Each tenant's production first: the others are made from it.
INSERT INTO instances(tenant_id, name, landscape_id, status, metadata_locked,
                      named_licenses, concurrent_licenses, session_timeout,
                      contact, email_listener, uri, database, api_key,
                      created, mtime) VALUES
  (1, 'production', 1, 'active', 1, 250, 80, 60, 'Jane Doe', 1,
   'https://acme.itsm.example.com', 'ACME', :k1, :now, :now),
  (1, 'staging', 2, 'active', 0, 25, 10, 60, 'Jane Doe', 0,
   'https://acme.stg.itsm.example.com', 'ACME-STG', :k2, :now, :now),
  (1, 'uat', 3, 'active', 1, 50, 20, 60, 'Jane Doe', 0,
   'https://acme.uat.itsm.example.com', 'ACME-UAT', :k3, :now, :now),
  (2, 'production', 4, 'active', 1, 40, 15, 60, 'Gwen Stacy', 1,
   'https://globex.small.itsm.example.com', 'SB-GLOBEX', :k4, :now, :now),
  (2, 'staging', 5, 'active', 0, 10, 5, 60, 'Gwen Stacy', 0,
   'https://globex.stg.small.itsm.example.com', 'SB-GLOBEX-STG', :k5,
   :now, :now);

COMMIT;
