-- The read model's tables as version 2 made them (main before version 3), for the
-- upgrade test. {s} is the schema.
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.processed (
  source text NOT NULL, notification_id bigint NOT NULL, event_type text NOT NULL,
  PRIMARY KEY (source, notification_id));
CREATE TABLE IF NOT EXISTS {s}.watermarks (source text PRIMARY KEY, after bigint NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.changes (
  id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
INSERT INTO {s}.changes VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS {s}.programmes (
  programme_id text PRIMARY KEY, name_kk text, name_ru text, name_en text,
  regions text[], start_date date, end_date date, budget_kzt bigint);
CREATE TABLE IF NOT EXISTS {s}.funders (
  funder_id text PRIMARY KEY, name_kk text, name_ru text, name_en text,
  organisation_type text);
CREATE TABLE IF NOT EXISTS {s}.funder_roles (
  programme_id text, funder_id text, role text, PRIMARY KEY (programme_id, funder_id, role));
CREATE TABLE IF NOT EXISTS {s}.targets (
  programme_id text, indicator text, measure text, baseline numeric, target numeric,
  period_end date, version int NOT NULL, PRIMARY KEY (programme_id, indicator));
CREATE TABLE IF NOT EXISTS {s}.commitments (
  commitment_id text PRIMARY KEY, programme_id text NOT NULL, funder_id text NOT NULL,
  scope text NOT NULL, amount_kzt bigint NOT NULL, committed_on date);
CREATE TABLE IF NOT EXISTS {s}.organisations (
  organisation_id text PRIMARY KEY, kind text, region_code text, district_code text,
  name_ru text, school_year text, small_class boolean, pupils int, teachers int);
CREATE TABLE IF NOT EXISTS {s}.participants (
  programme_id text, organisation_id text, model text, kind text, district_code text,
  PRIMARY KEY (programme_id, organisation_id));
CREATE TABLE IF NOT EXISTS {s}.enrolments (
  enrolment_id uuid PRIMARY KEY, programme_id text, role text, participant_id text,
  school_id text, team_id text, status text, status_version int NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.trainers (
  programme_id text, person_id text, PRIMARY KEY (programme_id, person_id));
CREATE TABLE IF NOT EXISTS {s}.categories (
  teacher_id text PRIMARY KEY, programme_id text, category text, version int NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.practices (
  practice_id uuid PRIMARY KEY, programme_id text, school_id text);
CREATE TABLE IF NOT EXISTS {s}.adoptions (
  practice_id uuid, school_id text, programme_id text, PRIMARY KEY (practice_id, school_id));
CREATE TABLE IF NOT EXISTS {s}.cabinets (
  cabinet_id uuid PRIMARY KEY, programme_id text, organisation_id text, kind text,
  district_code text, allocated boolean, allocation_version int NOT NULL DEFAULT 0,
  cost_kzt bigint, commitment_id text, funder_id text,
  delivered boolean NOT NULL DEFAULT false, commissioned boolean NOT NULL DEFAULT false,
  internet_mbps numeric);
ALTER TABLE {s}.cabinets ADD COLUMN IF NOT EXISTS procured_on date;
CREATE TABLE IF NOT EXISTS {s}.rounds (
  round_id text PRIMARY KEY, programme_id text, phase text, baseline_round_id text,
  school_year text, subjects jsonb);
CREATE TABLE IF NOT EXISTS {s}.expenditures (
  commitment_id text, reference text, programme_id text NOT NULL, funder_id text NOT NULL,
  category text NOT NULL, amount_kzt bigint NOT NULL, spent_on date,
  PRIMARY KEY (commitment_id, reference));
CREATE TABLE IF NOT EXISTS {s}.disbursements (
  commitment_id text, reference text, programme_id text NOT NULL, funder_id text NOT NULL,
  amount_kzt bigint NOT NULL, disbursed_on date, PRIMARY KEY (commitment_id, reference));
CREATE TABLE IF NOT EXISTS {s}.profiles (
  organisation_id text, school_year text, small_class boolean, pupils int,
  version int NOT NULL, PRIMARY KEY (organisation_id, school_year));
CREATE TABLE IF NOT EXISTS {s}.scores (
  round_id text, pupil_ref text, subject text, school_id text, grade int, score int,
  version int NOT NULL, PRIMARY KEY (round_id, school_id, grade, pupil_ref, subject));
DO $$ BEGIN
  -- A score is keyed by the sheet that holds it (round, school, grade; its version is that
  -- sheet's) and the pupil: one pupil recorded by two schools counts at each, as stored.
  -- A model made with the older key (round, pupil, subject) is re-keyed; rebuild() then
  -- brings back the scores that key had dropped.
  IF (SELECT count(*) FROM information_schema.key_column_usage
       WHERE table_schema = '{s}' AND table_name = 'scores'
         AND constraint_name = 'scores_pkey') = 3 THEN
    ALTER TABLE {s}.scores DROP CONSTRAINT scores_pkey,
      ADD PRIMARY KEY (round_id, school_id, grade, pupil_ref, subject);
  END IF;
END $$;
