-- A revert changeset names the changeset it reverts in its target ({"revertOf": "<id>"}). Before
-- reverting, the store asks which reverts name a changeset (a second revert is refused while the
-- first stands): this index answers that without reading every changeset.
CREATE INDEX metadata_changesets_revert_of ON metadata_changesets ((target->>'revertOf')) WHERE target ? 'revertOf';
