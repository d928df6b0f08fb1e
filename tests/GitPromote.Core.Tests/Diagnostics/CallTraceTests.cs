using System.Collections.Concurrent;
using GitPromote.Core.Diagnostics;

namespace GitPromote.Core.Tests.Diagnostics;

/// <summary>The trace sink belongs to the run that set it: runs side by side in one process never see each other's calls.</summary>
public class CallTraceTests
{
    private static async Task<IReadOnlyList<string>> TracedRunAsync(string name, Barrier together)
    {
        var lines = new ConcurrentQueue<string>();
        using (CallTrace.SendTo(lines.Enqueue))
        {
            await Task.Run(() => together.SignalAndWait(TimeSpan.FromSeconds(10)));
            for (var i = 0; i < 3; i++)
            {
                var started = CallTrace.Begin();
                await Task.Yield();
                CallTrace.End($"{name} call {i}", started, "exit 0");
            }
        }
        return [.. lines];
    }

    [Fact]
    public async Task Two_runs_at_once_each_get_only_their_own_lines()
    {
        using var together = new Barrier(2);

        var runs = await Task.WhenAll(TracedRunAsync("first", together), TracedRunAsync("second", together));

        Assert.Equal(3, runs[0].Count);
        Assert.All(runs[0], line => Assert.StartsWith("git-promote: trace: first call ", line));
        Assert.Equal(3, runs[1].Count);
        Assert.All(runs[1], line => Assert.StartsWith("git-promote: trace: second call ", line));
    }

    [Fact]
    public async Task After_the_run_ends_nothing_is_traced_and_timing_costs_nothing()
    {
        var lines = new ConcurrentQueue<string>();
        using (CallTrace.SendTo(lines.Enqueue))
            CallTrace.End("inside", CallTrace.Begin(), "exit 0");

        await Task.Yield();
        Assert.False(CallTrace.Enabled);
        Assert.Equal(0, CallTrace.Begin());
        CallTrace.End("outside", 1, "exit 0");
        Assert.Equal(["inside"], lines.Select(l => l.Split(": ")[2]));
    }
}
