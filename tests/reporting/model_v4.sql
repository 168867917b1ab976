-- The read model's tables as version 4 made them (main before version 5), for the
-- upgrade test. {s} is the schema.
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.processed (
  source text NOT NULL, notification_id bigint NOT NULL, event_type text NOT NULL,
  recorded_at timestamptz, PRIMARY KEY (source, notification_id));
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
  programme_id text, funder_id text, role text, iati_role_code text,
  PRIMARY KEY (programme_id, funder_id, role));
CREATE TABLE IF NOT EXISTS {s}.targets (
  programme_id text, indicator text, measure text, baseline numeric, target numeric,
  period_end date, version int NOT NULL, PRIMARY KEY (programme_id, indicator));
CREATE TABLE IF NOT EXISTS {s}.commitments (
  commitment_id text PRIMARY KEY, programme_id text NOT NULL, funder_id text NOT NULL,
  scope text NOT NULL, amount_kzt bigint NOT NULL, committed_on date, by_src text,
  by_nid bigint);
CREATE TABLE IF NOT EXISTS {s}.organisations (
  organisation_id text PRIMARY KEY, kind text, region_code text, district_code text,
  name_ru text, school_year text, small_class boolean, pupils int, teachers int);
CREATE TABLE IF NOT EXISTS {s}.participants (
  programme_id text, organisation_id text, model text, kind text, district_code text,
  by_src text, by_nid bigint, joined_on date, PRIMARY KEY (programme_id, organisation_id));
CREATE TABLE IF NOT EXISTS {s}.enrolments (
  enrolment_id uuid PRIMARY KEY, programme_id text, role text, participant_id text,
  school_id text, team_id text, status text, status_version int NOT NULL,
  enrolled_src text, enrolled_nid bigint, ended_src text, ended_nid bigint,
  enrolled_on date, ended_on date);
CREATE TABLE IF NOT EXISTS {s}.trainers (
  programme_id text, person_id text, by_src text, by_nid bigint, certified_on date,
  PRIMARY KEY (programme_id, person_id));
CREATE TABLE IF NOT EXISTS {s}.categories (
  teacher_id text PRIMARY KEY, programme_id text, category text, version int NOT NULL,
  by_src text, by_nid bigint, attested_on date);
CREATE TABLE IF NOT EXISTS {s}.practices (
  practice_id uuid PRIMARY KEY, programme_id text, school_id text, by_src text,
  by_nid bigint, code text, direction text, title text, published_on date);
CREATE TABLE IF NOT EXISTS {s}.adoptions (
  practice_id uuid, school_id text, programme_id text, by_src text, by_nid bigint,
  adopted_on date, PRIMARY KEY (practice_id, school_id));
CREATE TABLE IF NOT EXISTS {s}.cabinets (
  cabinet_id uuid PRIMARY KEY, programme_id text, organisation_id text, kind text,
  district_code text, allocated boolean, allocation_version int NOT NULL DEFAULT 0,
  cost_kzt bigint, commitment_id text, funder_id text,
  delivered boolean NOT NULL DEFAULT false, commissioned boolean NOT NULL DEFAULT false,
  internet_mbps numeric, procured_on date, procured_src text, procured_nid bigint,
  delivered_src text, delivered_nid bigint, commissioned_src text, commissioned_nid bigint,
  delivered_on date, commissioned_on date);
CREATE TABLE IF NOT EXISTS {s}.rounds (
  round_id text PRIMARY KEY, programme_id text, phase text, baseline_round_id text,
  school_year text, subjects jsonb, opened_on date);
-- The schools a round assesses as its comparison group: outside the programme, so in
-- none of its figures, only on the other side of the outcomes' difference in differences.
CREATE TABLE IF NOT EXISTS {s}.comparison_schools (
  round_id text, school_id text, PRIMARY KEY (round_id, school_id));
CREATE TABLE IF NOT EXISTS {s}.expenditures (
  commitment_id text, reference text, programme_id text NOT NULL, funder_id text NOT NULL,
  category text NOT NULL, amount_kzt bigint NOT NULL, spent_on date, by_src text,
  by_nid bigint, PRIMARY KEY (commitment_id, reference));
CREATE TABLE IF NOT EXISTS {s}.disbursements (
  commitment_id text, reference text, programme_id text NOT NULL, funder_id text NOT NULL,
  amount_kzt bigint NOT NULL, disbursed_on date, by_src text, by_nid bigint,
  PRIMARY KEY (commitment_id, reference));
CREATE TABLE IF NOT EXISTS {s}.profiles (
  organisation_id text, school_year text, small_class boolean, pupils int,
  version int NOT NULL, by_src text, by_nid bigint,
  PRIMARY KEY (organisation_id, school_year));
CREATE TABLE IF NOT EXISTS {s}.scores (
  round_id text, pupil_ref text, subject text, school_id text, grade int, score int,
  version int NOT NULL, by_src text, by_nid bigint,
  PRIMARY KEY (round_id, school_id, grade, pupil_ref, subject));
-- The classifier's regions (2-digit code) and districts (4-digit), by name. A new table, so
-- a model made before gains it empty and fills it as the registry's PlaceNamed arrive.
CREATE TABLE IF NOT EXISTS {s}.places (
  place_code text PRIMARY KEY, level text NOT NULL, kato text NOT NULL, name_kk text,
  name_ru text, name_en text, version int NOT NULL, by_src text, by_nid bigint);
-- Columns added since version 1. A model made before gains them (empty until it is
-- rebuilt, which happens by itself on start) so that it keeps answering meanwhile.
ALTER TABLE {s}.processed ADD COLUMN IF NOT EXISTS recorded_at timestamptz;
ALTER TABLE {s}.funder_roles ADD COLUMN IF NOT EXISTS iati_role_code text;
ALTER TABLE {s}.commitments ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint;
ALTER TABLE {s}.participants ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint,
  ADD COLUMN IF NOT EXISTS joined_on date;
ALTER TABLE {s}.enrolments ADD COLUMN IF NOT EXISTS enrolled_src text,
  ADD COLUMN IF NOT EXISTS enrolled_nid bigint,
  ADD COLUMN IF NOT EXISTS ended_src text,
  ADD COLUMN IF NOT EXISTS ended_nid bigint,
  ADD COLUMN IF NOT EXISTS enrolled_on date,
  ADD COLUMN IF NOT EXISTS ended_on date;
ALTER TABLE {s}.trainers ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint,
  ADD COLUMN IF NOT EXISTS certified_on date;
ALTER TABLE {s}.categories ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint,
  ADD COLUMN IF NOT EXISTS attested_on date;
ALTER TABLE {s}.practices ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint,
  ADD COLUMN IF NOT EXISTS code text,
  ADD COLUMN IF NOT EXISTS direction text,
  ADD COLUMN IF NOT EXISTS title text,
  ADD COLUMN IF NOT EXISTS published_on date;
ALTER TABLE {s}.adoptions ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint,
  ADD COLUMN IF NOT EXISTS adopted_on date;
ALTER TABLE {s}.cabinets ADD COLUMN IF NOT EXISTS procured_on date,
  ADD COLUMN IF NOT EXISTS procured_src text,
  ADD COLUMN IF NOT EXISTS procured_nid bigint,
  ADD COLUMN IF NOT EXISTS delivered_src text,
  ADD COLUMN IF NOT EXISTS delivered_nid bigint,
  ADD COLUMN IF NOT EXISTS commissioned_src text,
  ADD COLUMN IF NOT EXISTS commissioned_nid bigint,
  ADD COLUMN IF NOT EXISTS delivered_on date,
  ADD COLUMN IF NOT EXISTS commissioned_on date;
ALTER TABLE {s}.rounds ADD COLUMN IF NOT EXISTS opened_on date;
ALTER TABLE {s}.expenditures ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint;
ALTER TABLE {s}.disbursements ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint;
ALTER TABLE {s}.profiles ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint;
ALTER TABLE {s}.scores ADD COLUMN IF NOT EXISTS by_src text,
  ADD COLUMN IF NOT EXISTS by_nid bigint;
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
