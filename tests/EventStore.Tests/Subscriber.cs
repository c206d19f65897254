using System.Collections.Concurrent;
using System.Diagnostics;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.EventStore.Tests;

/// <summary>
/// Runs an all-events subscription in the background and records what it delivers of one test's
/// events (those whose source event id starts with the test's prefix), and when.
/// </summary>
internal sealed class Subscriber : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(RecordedEvent Event, TimeSpan At)> _delivered = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _running;

    public Subscriber(AllEventsReader reader, string idPrefix, int pageSize = 1000)
    {
        _running = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in reader.SubscribeAsync(GlobalPosition.Start, pageSize, TimeSpan.FromMilliseconds(50), _stop.Token))
                {
                    if (e.SourceEventId.StartsWith(idPrefix, StringComparison.Ordinal))
                    {
                        _delivered.Enqueue((e, _clock.Elapsed));
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        });
    }

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<RecordedEvent> Delivered => [.. _delivered.Select(d => d.Event)];

    public TimeSpan DeliveredAt(string sourceEventId) => _delivered.First(d => d.Event.SourceEventId == sourceEventId).At;

    public async Task WaitForAsync(Func<IReadOnlyList<RecordedEvent>, bool> condition, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (!condition(Delivered))
        {
            if (_clock.Elapsed > deadline)
            {
                throw new TimeoutException($"The subscriber did not get there in {timeout}; it delivered {_delivered.Count} events.");
            }

            if (_running.IsFaulted)
            {
                await _running;
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }
}
