"""Long-running work: the async runner thread and the job coroutines (generation) it runs."""
