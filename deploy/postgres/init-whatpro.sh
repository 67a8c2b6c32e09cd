#!/bin/sh
# Creates the hub's role and database beside Chatwoot's. The PostgreSQL image
# runs this once, on the first start of an empty data volume; on an existing
# server run the same statements by hand (README: "Deploying beside Chatwoot").
# The hub's role owns only its database: it cannot read Chatwoot's.
set -eu
: "${WHATPRO_DB_PASSWORD:?WHATPRO_DB_PASSWORD is not set}"
db="${WHATPRO_DB_NAME:-whatpro}"
role="${WHATPRO_DB_USER:-whatpro}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
	-v role="$role" -v db="$db" -v pw="$WHATPRO_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT ALL ON DATABASE :"db" TO :"role";
SQL
echo "whatpro: created role $role and database $db"
