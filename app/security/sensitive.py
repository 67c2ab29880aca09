"""Every text column of the database, classified in one place (security item 27).

`SENSITIVE` lists the columns that hold what a person wrote or what identifies
someone: each is written only through `crypto.Encrypted`, and the raw row never
holds its plaintext.

- "her": a defender's own data, encrypted under her own key (destroyed when
  her data is deleted: crypto-shredding, `defender_keys`);
- "network": the network's, encrypted under the master data keys;
- "her_or_network": a defender's when the row belongs to one (her account,
  a link made for her), else the network's (staff): `Encrypted(…,
  owner_optional=True)`.

`PLAIN` lists every other text column with why it may stay readable.

tests/app/security/test_item_27_every_sensitive_column_is_encrypted.py fails
when a text column is in neither list (a new column must be classified
here), when a sensitive column is not written through `Encrypted` with the
right key, and when any raw row holds the plaintext of a sensitive value.
"""
from __future__ import annotations

SENSITIVE: dict[tuple[str, str], str] = {
    ("defenders", "real_name_ct"): "her",
    ("defenders", "contact_ct"): "her",
    ("defenders", "accessibility_notes_ct"): "her",
    ("interviews", "narrative_ct"): "her",
    ("interviews", "risk_notes_ct"): "her",
    ("interviews", "confirmation_reason_ct"): "her",
    ("interview_dimensions", "answers_ct"): "her",
    ("stay_requests", "companions_note_ct"): "her",
    ("stay_requests", "food_notes_ct"): "her",
    ("stay_requests", "urgency_reason_ct"): "her",
    ("stay_requests", "decline_reason_ct"): "her",
    ("audit_events", "reason_ct"): "her",  # why someone revealed her identity
    ("therapists", "name_ct"): "network",
    ("therapists", "contact_ct"): "network",
    ("closures", "note_ct"): "network",
    ("users", "totp_secret_ct"): "network",
    ("planning_runs", "instance_json_ct"): "network",  # carries the therapists' names
    ("offers", "reason_ct"): "her",  # why she declined (or why a coordinator withdrew it)
    ("follow_ups", "words_ct"): "her",  # her words after the stay
    ("stay_changes", "reason_ct"): "network",  # the coordinator's words on a change (a cancel's reason)
    ("users", "email_ct"): "her_or_network",  # her address names her (a staff member's, the network's)
    ("invitations", "email_ct"): "her_or_network",  # where the one-time link goes
}

PLAIN: dict[tuple[str, str], str] = {
    # random identifiers and hashes
    ("defenders", "uid"): "random row id (associated data)",
    ("therapists", "uid"): "random row id (associated data)",
    ("closures", "uid"): "random row id (associated data)",
    ("users", "uid"): "random row id (associated data)",
    ("audit_events", "uid"): "random row id (associated data)",
    ("interviews", "uid"): "random row id (associated data)",
    ("interview_dimensions", "uid"): "random row id (associated data)",
    ("stay_requests", "uid"): "random row id (associated data)",
    ("planning_runs", "uid"): "random row id (associated data)",
    ("calendar_tokens", "token_hash"): "SHA-256 of the feed token",
    ("invitations", "token_hash"): "SHA-256 of the link's token",
    ("users", "password_hash"): "argon2id hash",
    ("users", "session_token"): "a random generation marker (never in a cookie as a credential)",
    ("user_sessions", "token_hash"): "SHA-256 of a session's token (the token is only in her cookie)",
    ("planning_runs", "input_fingerprint"): "hash of the run's inputs",
    ("planning_runs", "job_id"): "queue job id",
    # pseudonyms and login names
    ("defenders", "alias"): "her pseudonym, chosen to be shown",
    ("users", "email_index"): "blind index: HMAC-SHA256 of the address under a key kept outside the database",
    ("invitations", "email_index"): "blind index: HMAC-SHA256 of the address under a key kept outside the database",
    ("invitations", "uid"): "random row id (associated data)",
    # codes, enums and settings
    ("calendar_tokens", "kind"): "enum",
    ("defenders", "country"): "country code, needed by planning",
    ("defenders", "languages"): "language codes, needed by planning",
    ("defenders", "barred_countries"): "country codes, needed by planning",
    ("houses", "code"): "the house's public code",
    ("houses", "name"): "the house's name",
    ("houses", "place"): "the house's town",
    ("houses", "country"): "country code",
    ("houses", "stay_types"): "enums",
    ("houses", "stay_length"): "numbers",
    ("houses", "arrival_weekdays"): "numbers",
    ("therapists", "kind"): "enum",
    ("therapists", "dimensions"): "enums",
    ("therapists", "techniques"): "the techniques offered (professional, no person)",
    ("therapists", "languages"): "language codes",
    ("closures", "reason"): "enum",
    ("users", "role"): "enum",
    ("users", "locale"): "language code",
    ("audit_events", "action"): "enum",
    ("audit_events", "target_type"): "model name",
    ("audit_events", "details"): "ids and counts only; reasons go to reason_ct",
    ("interviews", "status"): "enum",
    ("interviews", "step"): "enum",
    ("interviews", "consent_scope"): "enum",
    ("interview_dimensions", "dimension"): "enum",
    ("invitations", "role"): "enum",
    ("invitations", "purpose"): "enum",
    ("planning_runs", "status"): "enum",
    ("planning_runs", "house_ids"): "ids",
    ("planning_runs", "weights"): "numbers",
    ("planning_runs", "solution_json"): "ids, days and slots only",
    ("planning_runs", "progress"): "numbers",
    ("planning_runs", "error"): "the engine's or the job's message",
    ("stays", "type"): "enum",
    ("stays", "replan_reason"): "written by the app (closure kind and dates), never a person's words",
    ("proposed_stays", "key"): "the engine's stay id",
    ("proposed_stays", "type"): "enum",
    ("proposed_stays", "status"): "enum",
    ("sessions", "dimension"): "enum",
    ("proposed_sessions", "dimension"): "enum",
    ("stay_requests", "status"): "enum",
    ("stay_requests", "stay_types"): "enums",
    ("unassigned_requests", "code"): "the engine's reason code",
    ("unassigned_requests", "params"): "the engine's reason parameters (ids, numbers)",
    ("unassigned_requests", "reason"): "the engine's reason, in words written by the app",
    ("offers", "uid"): "random row id (associated data)",
    ("offers", "status"): "enum",
    ("stay_changes", "uid"): "random row id (associated data)",
    ("stay_changes", "kind"): "enum",
    ("stay_changes", "old"): "a snapshot of ids, dates, types and therapist ids only",
    ("stay_changes", "new"): "a snapshot of ids, dates, types and therapist ids only",
    ("stay_changes", "people"): "defender ids",
    ("stay_attendance", "status"): "enum",
    ("follow_ups", "uid"): "random row id (associated data)",
    ("follow_ups", "kind"): "enum",
    ("follow_ups", "levels"): "levels 0-3 per dimension (numbers, as her interview's levels)",
    ("houses", "slot_times"): "clock times of the house's session slots",
    ("login_attempts", "key"): "a keyed hash of the account or client, never what was typed",
    ("notices", "kind"): "enum",
    ("notices", "target_type"): "model name",
    ("notices", "link"): "a path inside Respiro (ids only)",
    ("notices", "email_state"): "enum",
    ("notices", "email_error"): "the mail server's error message (no content of hers)",
}
