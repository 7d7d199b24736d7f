# Astro Runtime 3.3-2 ships Airflow 3.3.2. Its ONBUILD steps copy this project into
# /usr/local/airflow and install packages.txt (apt) and requirements.txt (pip).
FROM astrocrpublic.azurecr.io/runtime:3.3-2

# Hold the Airflow-side packages to the tested lock (the ONBUILD install resolved only the
# top-level pins; this makes every transitive version match constraints.txt).
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

# dbt in its own virtualenv, as Astronomer recommends for Cosmos: dbt's pins never fight
# Airflow's. Cosmos calls this executable (include/c360/config.py: C360_DBT_EXECUTABLE).
RUN python -m venv dbt_venv \
    && dbt_venv/bin/pip install --no-cache-dir -r dbt-requirements.txt -c dbt-constraints.txt

ENV C360_DBT_EXECUTABLE=/usr/local/airflow/dbt_venv/bin/dbt \
    DO_NOT_TRACK=1

# The transform DAG renders its Cosmos task groups from a manifest built here, never at parse time.
RUN PYTHONPATH=/usr/local/airflow python -m include.c360.transform.manifest
