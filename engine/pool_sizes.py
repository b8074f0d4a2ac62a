"""From how many items each long job shares its work out over worker processes (corpus.parallel);
with fewer, starting workers is not worth it.  A module of its own so the CLI's start-up can name
them in --jobs help without loading the jobs."""

PARALLEL_MIN_PROJECTS = 64      # projects of a suggest --from list (engine.list_drafts)
PARALLEL_MIN_FILINGS = 64       # filings, or input files, of a batch (engine.batch)
