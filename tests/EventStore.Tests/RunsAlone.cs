namespace YoungCarers.EventStore.Tests;

/// <summary>
/// Tests that time the all-events reader run alone: the reader rightly waits for every older
/// transaction on the server, and other classes' CREATE DATABASE or crash tests are such transactions.
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
