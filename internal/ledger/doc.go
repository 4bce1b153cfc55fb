// Package ledger remembers which pooled ids (owned instances, free volumes) runs against a
// target have used up, so that a repeat run never blames the target for an id an earlier run
// consumed.
//
// Backing up an instance releases it; associating a volume binds it. Neither can be undone
// through the APIs under test, so every run leaves fewer fresh ids in the target file's
// pools. The suites record each id a request consumed (runrecord.Consumed); after the run,
// Record writes them beside the reports (consumed.json) and adds them to the target's
// ledger. The next run's suites read the ledger (ConsumedFor) and reserve only fresh ids;
// when a pool runs dry, the specs that need it are skipped naming the ledger, never failed.
//
// A ledger is keyed by the target, not by the file that describes it: Key hashes the base
// URLs, the VBS project id and the name — never a token — so two copies of one target file
// share a ledger and a token rotation does not forget it. Ledgers live under the user's
// state directory ($XDG_STATE_HOME/koobackup-conformance/ledger, else
// ~/.local/state/koobackup-conformance/ledger); $CONFORMANCE_LEDGER names another directory
// (a CI cache, a test's temporary directory), or "off" to keep none.
//
// The reference mock is the one target whose state can be put back: a target file that
// carries reference_mock (conformance mock --write-target) is reset through the mock's admin
// API by Prepare before a run, and its ledger is forgotten, so every run starts with every id
// fresh.
package ledger
