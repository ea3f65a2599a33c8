"""Where resources live: the embedded local AWS (a moto server envctl starts, records and replays), or real AWS."""
