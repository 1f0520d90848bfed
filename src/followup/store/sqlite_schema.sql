CREATE TABLE candidate (
	pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	revision INTEGER NOT NULL, 
	plan_source TEXT, 
	plan_playbook TEXT, 
	plan_planner TEXT, 
	CONSTRAINT pk_candidate PRIMARY KEY (pk), 
	CONSTRAINT uq_candidate_id UNIQUE (id)
);

CREATE TABLE holiday (
	version TEXT NOT NULL, 
	country TEXT NOT NULL, 
	year INTEGER NOT NULL, 
	days TEXT NOT NULL, 
	CONSTRAINT pk_holiday PRIMARY KEY (version, country, year)
);

CREATE TABLE organisation (
	pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	CONSTRAINT pk_organisation PRIMARY KEY (pk), 
	CONSTRAINT uq_organisation_id UNIQUE (id)
);

CREATE TABLE server_key (
	name TEXT NOT NULL, 
	value TEXT NOT NULL, 
	CONSTRAINT pk_server_key PRIMARY KEY (name)
);

CREATE TABLE profile (
	candidate_pk INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	timezone TEXT NOT NULL, 
	country TEXT NOT NULL, 
	weekly_target INTEGER, 
	CONSTRAINT pk_profile PRIMARY KEY (candidate_pk), 
	CONSTRAINT fk_profile_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE opportunity (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	fact_revision INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	company TEXT NOT NULL, 
	role TEXT NOT NULL, 
	applied DATE, 
	source TEXT, 
	url TEXT, 
	rank INTEGER, 
	status TEXT NOT NULL, 
	has_decision BOOLEAN NOT NULL, 
	decision_expected_by TEXT, 
	decision_process TEXT, 
	recorded_at DATETIME, 
	CONSTRAINT pk_opportunity PRIMARY KEY (pk), 
	CONSTRAINT uq_opportunity_candidate_pk_id UNIQUE (candidate_pk, id), 
	CONSTRAINT fk_opportunity_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE achievement (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	at TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	title TEXT NOT NULL, 
	tags TEXT NOT NULL, 
	CONSTRAINT pk_achievement PRIMARY KEY (pk), 
	CONSTRAINT uq_achievement_candidate_pk_id UNIQUE (candidate_pk, id), 
	CONSTRAINT fk_achievement_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE action_decision (
	candidate_pk INTEGER NOT NULL, 
	action TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	decision TEXT NOT NULL, 
	until DATETIME, 
	CONSTRAINT pk_action_decision PRIMARY KEY (candidate_pk, action), 
	CONSTRAINT fk_action_decision_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE journal (
	candidate_pk INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	label TEXT NOT NULL, 
	summary TEXT NOT NULL, 
	"before" TEXT NOT NULL, 
	"after" TEXT NOT NULL, 
	undone BOOLEAN NOT NULL, 
	CONSTRAINT pk_journal PRIMARY KEY (candidate_pk, seq), 
	CONSTRAINT fk_journal_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE article (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	url TEXT NOT NULL, 
	title TEXT NOT NULL, 
	summary TEXT NOT NULL, 
	tags TEXT NOT NULL, 
	source TEXT, 
	added DATETIME NOT NULL, 
	CONSTRAINT pk_article PRIMARY KEY (pk), 
	CONSTRAINT uq_article_candidate_pk_url UNIQUE (candidate_pk, url), 
	CONSTRAINT fk_article_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE draft_edit (
	candidate_pk INTEGER NOT NULL, 
	action TEXT NOT NULL, 
	text TEXT NOT NULL, 
	edited DATETIME NOT NULL, 
	CONSTRAINT pk_draft_edit PRIMARY KEY (candidate_pk, action), 
	CONSTRAINT fk_draft_edit_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE web_access (
	candidate_pk INTEGER NOT NULL, 
	password_hash TEXT NOT NULL, 
	session_key TEXT NOT NULL, 
	changed DATETIME NOT NULL, 
	CONSTRAINT pk_web_access PRIMARY KEY (candidate_pk), 
	CONSTRAINT fk_web_access_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE api_token (
	candidate_pk INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	token_hash TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	CONSTRAINT pk_api_token PRIMARY KEY (candidate_pk, name), 
	CONSTRAINT fk_api_token_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT uq_api_token_token_hash UNIQUE (token_hash)
);

CREATE TABLE account (
	pk INTEGER NOT NULL, 
	organisation_pk INTEGER NOT NULL, 
	email TEXT NOT NULL, 
	role TEXT NOT NULL, 
	password_hash TEXT NOT NULL, 
	candidate_pk INTEGER, 
	created DATETIME NOT NULL, 
	notices TEXT DEFAULT 'on' NOT NULL, 
	CONSTRAINT pk_account PRIMARY KEY (pk), 
	CONSTRAINT fk_account_organisation_pk_organisation FOREIGN KEY(organisation_pk) REFERENCES organisation (pk) ON DELETE CASCADE, 
	CONSTRAINT uq_account_email UNIQUE (email), 
	CONSTRAINT uq_account_candidate_pk UNIQUE (candidate_pk), 
	CONSTRAINT fk_account_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE SET NULL
);

CREATE TABLE account_link (
	pk INTEGER NOT NULL, 
	kind TEXT NOT NULL, 
	token_hash TEXT NOT NULL, 
	organisation_pk INTEGER NOT NULL, 
	email TEXT NOT NULL, 
	role TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	expires DATETIME NOT NULL, 
	used DATETIME, 
	CONSTRAINT pk_account_link PRIMARY KEY (pk), 
	CONSTRAINT uq_account_link_token_hash UNIQUE (token_hash), 
	CONSTRAINT fk_account_link_organisation_pk_organisation FOREIGN KEY(organisation_pk) REFERENCES organisation (pk) ON DELETE CASCADE
);

CREATE TABLE mail_secret (
	candidate_pk INTEGER NOT NULL, 
	kind TEXT NOT NULL, 
	sealed TEXT NOT NULL, 
	CONSTRAINT pk_mail_secret PRIMARY KEY (candidate_pk, kind), 
	CONSTRAINT fk_mail_secret_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE mail_sync_outcome (
	candidate_pk INTEGER NOT NULL, 
	outcome TEXT NOT NULL, 
	CONSTRAINT pk_mail_sync_outcome PRIMARY KEY (candidate_pk), 
	CONSTRAINT fk_mail_sync_outcome_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE mail_settings (
	candidate_pk INTEGER NOT NULL, 
	from_address TEXT, 
	from_name TEXT, 
	smtp_host TEXT, 
	smtp_port INTEGER, 
	smtp_security TEXT, 
	smtp_user TEXT, 
	imap_host TEXT, 
	imap_port INTEGER, 
	imap_security TEXT, 
	imap_user TEXT, 
	imap_folder TEXT, 
	sent_folder TEXT, 
	CONSTRAINT pk_mail_settings PRIMARY KEY (candidate_pk), 
	CONSTRAINT fk_mail_settings_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE outbox (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	message_id TEXT NOT NULL, 
	action TEXT NOT NULL, 
	opportunity_id TEXT NOT NULL, 
	person_id TEXT NOT NULL, 
	to_address TEXT NOT NULL, 
	subject TEXT NOT NULL, 
	body TEXT NOT NULL, 
	raw TEXT NOT NULL, 
	refs TEXT NOT NULL, 
	state TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	finished DATETIME, 
	detail TEXT, 
	touch_id TEXT, 
	CONSTRAINT pk_outbox PRIMARY KEY (pk), 
	CONSTRAINT fk_outbox_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT uq_outbox_message_id UNIQUE (message_id)
);

CREATE TABLE mail_sync (
	candidate_pk INTEGER NOT NULL, 
	folder TEXT NOT NULL, 
	uidvalidity BIGINT NOT NULL, 
	last_uid BIGINT NOT NULL, 
	synced DATETIME NOT NULL, 
	CONSTRAINT pk_mail_sync PRIMARY KEY (candidate_pk, folder), 
	CONSTRAINT fk_mail_sync_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE mail_inbound (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	"key" TEXT NOT NULL, 
	received DATETIME NOT NULL, 
	from_address TEXT NOT NULL, 
	subject TEXT NOT NULL, 
	snippet TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	status TEXT NOT NULL, 
	opportunity_id TEXT, 
	person_id TEXT, 
	touch_id TEXT, 
	detail TEXT, 
	CONSTRAINT pk_mail_inbound PRIMARY KEY (pk), 
	CONSTRAINT uq_mail_inbound_candidate_pk_key UNIQUE (candidate_pk, "key"), 
	CONSTRAINT fk_mail_inbound_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE mail_bad_address (
	candidate_pk INTEGER NOT NULL, 
	address TEXT NOT NULL, 
	reason TEXT NOT NULL, 
	flagged DATETIME NOT NULL, 
	CONSTRAINT pk_mail_bad_address PRIMARY KEY (candidate_pk, address), 
	CONSTRAINT fk_mail_bad_address_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE calendar_token (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	token TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	revoked DATETIME, 
	CONSTRAINT pk_calendar_token PRIMARY KEY (pk), 
	CONSTRAINT fk_calendar_token_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT uq_calendar_token_token UNIQUE (token)
);

CREATE TABLE calendar_item (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	action TEXT NOT NULL, 
	fingerprint TEXT NOT NULL, 
	sequence INTEGER NOT NULL, 
	modified DATETIME NOT NULL, 
	CONSTRAINT pk_calendar_item PRIMARY KEY (pk), 
	CONSTRAINT uq_calendar_item_candidate_pk_action UNIQUE (candidate_pk, action), 
	CONSTRAINT fk_calendar_item_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE
);

CREATE TABLE person (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	opportunity_pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	role TEXT NOT NULL, 
	has_vote BOOLEAN NOT NULL, 
	is_key BOOLEAN NOT NULL, 
	email TEXT, 
	phone TEXT, 
	timezone TEXT, 
	topics TEXT DEFAULT '[]' NOT NULL, 
	CONSTRAINT pk_person PRIMARY KEY (pk), 
	CONSTRAINT uq_person_opportunity_pk_id UNIQUE (opportunity_pk, id), 
	CONSTRAINT fk_person_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_person_opportunity_pk_opportunity FOREIGN KEY(opportunity_pk) REFERENCES opportunity (pk) ON DELETE CASCADE
);

CREATE TABLE offer (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	opportunity_pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	received TEXT NOT NULL, 
	expires TEXT, 
	decision TEXT, 
	decided DATETIME, 
	CONSTRAINT pk_offer PRIMARY KEY (pk), 
	CONSTRAINT uq_offer_opportunity_pk_id UNIQUE (opportunity_pk, id), 
	CONSTRAINT fk_offer_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_offer_opportunity_pk_opportunity FOREIGN KEY(opportunity_pk) REFERENCES opportunity (pk) ON DELETE CASCADE
);

CREATE TABLE opportunity_plan (
	opportunity_pk INTEGER NOT NULL, 
	fact_revision INTEGER NOT NULL, 
	playbook TEXT NOT NULL, 
	planner TEXT NOT NULL, 
	CONSTRAINT pk_opportunity_plan PRIMARY KEY (opportunity_pk), 
	CONSTRAINT fk_opportunity_plan_opportunity_pk_opportunity FOREIGN KEY(opportunity_pk) REFERENCES opportunity (pk) ON DELETE CASCADE
);

CREATE TABLE planned_action (
	candidate_pk INTEGER NOT NULL, 
	action TEXT NOT NULL, 
	opportunity_pk INTEGER NOT NULL, 
	rule TEXT NOT NULL, 
	person TEXT, 
	channel TEXT, 
	start_ts DOUBLE NOT NULL, 
	end_ts DOUBLE NOT NULL, 
	anchor TEXT NOT NULL, 
	host TEXT, 
	done_at DOUBLE, 
	skipped BOOLEAN NOT NULL, 
	snoozed_until DOUBLE, 
	missed_ts DOUBLE, 
	replaced BOOLEAN DEFAULT false NOT NULL, 
	why TEXT NOT NULL, 
	params TEXT NOT NULL, 
	CONSTRAINT pk_planned_action PRIMARY KEY (candidate_pk, action), 
	CONSTRAINT fk_planned_action_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_planned_action_opportunity_pk_opportunity FOREIGN KEY(opportunity_pk) REFERENCES opportunity (pk) ON DELETE CASCADE
);

CREATE TABLE account_session (
	pk INTEGER NOT NULL, 
	account_pk INTEGER NOT NULL, 
	token_hash TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	expires DATETIME NOT NULL, 
	CONSTRAINT pk_account_session PRIMARY KEY (pk), 
	CONSTRAINT fk_account_session_account_pk_account FOREIGN KEY(account_pk) REFERENCES account (pk) ON DELETE CASCADE, 
	CONSTRAINT uq_account_session_token_hash UNIQUE (token_hash)
);

CREATE TABLE account_token (
	pk INTEGER NOT NULL, 
	account_pk INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	token_hash TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	last_used DATETIME, 
	CONSTRAINT pk_account_token PRIMARY KEY (pk), 
	CONSTRAINT uq_account_token_account_pk_name UNIQUE (account_pk, name), 
	CONSTRAINT fk_account_token_account_pk_account FOREIGN KEY(account_pk) REFERENCES account (pk) ON DELETE CASCADE, 
	CONSTRAINT uq_account_token_token_hash UNIQUE (token_hash)
);

CREATE TABLE consent (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	coach_pk INTEGER NOT NULL, 
	level TEXT NOT NULL, 
	granted DATETIME NOT NULL, 
	revoked DATETIME, 
	CONSTRAINT pk_consent PRIMARY KEY (pk), 
	CONSTRAINT fk_consent_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_consent_coach_pk_account FOREIGN KEY(coach_pk) REFERENCES account (pk) ON DELETE CASCADE
);

CREATE TABLE audit (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	actor_pk INTEGER, 
	actor TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	action TEXT NOT NULL, 
	what TEXT NOT NULL, 
	CONSTRAINT pk_audit PRIMARY KEY (pk), 
	CONSTRAINT fk_audit_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_audit_actor_pk_account FOREIGN KEY(actor_pk) REFERENCES account (pk) ON DELETE SET NULL
);

CREATE TABLE server_mail (
	pk INTEGER NOT NULL, 
	"key" TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	account_pk INTEGER, 
	recipient TEXT NOT NULL, 
	state TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	finished DATETIME, 
	message_id TEXT, 
	subject TEXT, 
	body TEXT, 
	error TEXT, 
	CONSTRAINT pk_server_mail PRIMARY KEY (pk), 
	CONSTRAINT uq_server_mail_key UNIQUE ("key"), 
	CONSTRAINT fk_server_mail_account_pk_account FOREIGN KEY(account_pk) REFERENCES account (pk) ON DELETE CASCADE
);

CREATE TABLE interview (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	opportunity_pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	duration_minutes INTEGER NOT NULL, 
	kind TEXT, 
	next_step_what TEXT, 
	next_step_when TEXT, 
	next_step_who_pk INTEGER, 
	next_step_channel TEXT, 
	next_step_acts TEXT, 
	CONSTRAINT pk_interview PRIMARY KEY (pk), 
	CONSTRAINT uq_interview_opportunity_pk_id UNIQUE (opportunity_pk, id), 
	CONSTRAINT fk_interview_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_interview_opportunity_pk_opportunity FOREIGN KEY(opportunity_pk) REFERENCES opportunity (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_interview_next_step_who_pk_person FOREIGN KEY(next_step_who_pk) REFERENCES person (pk)
);

CREATE TABLE touch (
	pk INTEGER NOT NULL, 
	candidate_pk INTEGER NOT NULL, 
	opportunity_pk INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	person_pk INTEGER NOT NULL, 
	channel TEXT NOT NULL, 
	direction TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	summary TEXT, 
	body TEXT, 
	states_date TEXT, 
	acts TEXT, 
	completes TEXT, 
	completes_rule TEXT, 
	outcome TEXT, 
	CONSTRAINT pk_touch PRIMARY KEY (pk), 
	CONSTRAINT uq_touch_opportunity_pk_id UNIQUE (opportunity_pk, id), 
	CONSTRAINT fk_touch_candidate_pk_candidate FOREIGN KEY(candidate_pk) REFERENCES candidate (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_touch_opportunity_pk_opportunity FOREIGN KEY(opportunity_pk) REFERENCES opportunity (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_touch_person_pk_person FOREIGN KEY(person_pk) REFERENCES person (pk) ON DELETE CASCADE
);

CREATE TABLE interview_person (
	interview_pk INTEGER NOT NULL, 
	person_pk INTEGER NOT NULL, 
	with_position INTEGER, 
	note_position INTEGER, 
	note TEXT, 
	CONSTRAINT pk_interview_person PRIMARY KEY (interview_pk, person_pk), 
	CONSTRAINT fk_interview_person_interview_pk_interview FOREIGN KEY(interview_pk) REFERENCES interview (pk) ON DELETE CASCADE, 
	CONSTRAINT fk_interview_person_person_pk_person FOREIGN KEY(person_pk) REFERENCES person (pk) ON DELETE CASCADE
);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE INDEX ix_account_link_organisation_pk ON account_link (organisation_pk);

CREATE INDEX ix_account_organisation_pk ON account (organisation_pk);

CREATE INDEX ix_account_session_account_pk ON account_session (account_pk);

CREATE INDEX ix_audit_actor_pk ON audit (actor_pk);

CREATE INDEX ix_audit_candidate_at ON audit (candidate_pk, at);

CREATE INDEX ix_calendar_token_candidate_pk ON calendar_token (candidate_pk);

CREATE INDEX ix_consent_candidate_pk ON consent (candidate_pk);

CREATE INDEX ix_consent_coach_pk ON consent (coach_pk);

CREATE INDEX ix_interview_candidate_pk ON interview (candidate_pk);

CREATE INDEX ix_interview_next_step_who_pk ON interview (next_step_who_pk);

CREATE INDEX ix_interview_person_person_pk ON interview_person (person_pk);

CREATE INDEX ix_offer_candidate_pk ON offer (candidate_pk);

CREATE INDEX ix_outbox_action ON outbox (action);

CREATE INDEX ix_outbox_candidate_pk ON outbox (candidate_pk);

CREATE INDEX ix_person_candidate_pk ON person (candidate_pk);

CREATE INDEX ix_planned_action_open ON planned_action (candidate_pk, end_ts, snoozed_until, missed_ts) WHERE done_at IS NULL AND NOT skipped;

CREATE INDEX ix_planned_action_opens ON planned_action (candidate_pk, start_ts, snoozed_until) WHERE done_at IS NULL AND NOT skipped;

CREATE INDEX ix_planned_action_opportunity_pk ON planned_action (opportunity_pk);

CREATE INDEX ix_server_mail_account_pk ON server_mail (account_pk);

CREATE INDEX ix_touch_candidate_out_at ON touch (candidate_pk, at) WHERE direction = 'out';

CREATE INDEX ix_touch_candidate_pk ON touch (candidate_pk);

CREATE INDEX ix_touch_person_pk ON touch (person_pk);

CREATE UNIQUE INDEX uq_consent_current ON consent (candidate_pk, coach_pk) WHERE revoked IS NULL;

CREATE UNIQUE INDEX uq_touch_completes ON touch (opportunity_pk, completes) WHERE completes IS NOT NULL
