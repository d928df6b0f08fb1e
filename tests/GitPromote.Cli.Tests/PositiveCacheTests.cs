using GitPromote.Cli.Install;
using GitPromote.Cli.Tests.Support;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Gate;
using GitPromote.Platform;
using GitPromote.TestSupport;
using static GitPromote.TestSupport.TestPolicies;

namespace GitPromote.Cli.Tests;

/// <summary>The cache lives in a file anyone with the clone can damage: a damaged file is ignored, never trusted, and never throws.</summary>
public sealed class PositiveCacheTests : IDisposable
{
    private static readonly string Green = Ids.Sha1('a');
    private static readonly string Other = Ids.Sha1('b');
    private static readonly EnvironmentPolicy Stg = Orders().FindEnvironment("stg")!;
    private static readonly DateTimeOffset At = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private string CachePath => _dir.Combine("promote", "green-cache");

    public void Dispose() => _dir.Dispose();

    private IReadOnlyDictionary<string, GreenFact> LookupAfresh(string scope = "orders") =>
        new PositiveCache(new SystemFileSystem(), CachePath, scope).Lookup(Stg, Ssm, [Green, Other]);

    /// <summary>The line the cache writes for <see cref="Green"/>, without its newline.</summary>
    private string WrittenLine()
    {
        new PositiveCache(new SystemFileSystem(), CachePath, "orders").Remember(Stg, Ssm, [new GreenFact(Green, "ssm", At, "pipeline")]);
        return File.ReadAllText(CachePath).TrimEnd('\n');
    }

    [Fact]
    public void A_remembered_fact_is_found_by_the_next_process()
    {
        WrittenLine();

        var hit = Assert.Single(LookupAfresh());
        Assert.Equal((Green, At, "pipeline"), (hit.Key, hit.Value.RecordedAt, hit.Value.RecordedBy));
    }

    [Fact]
    public void A_line_cut_short_inside_its_key_proves_nothing()
    {
        var line = WrittenLine();
        File.WriteAllText(CachePath, line[..(line.IndexOf('\t') - 5)]);

        Assert.Empty(LookupAfresh());
    }

    [Fact]
    public void A_line_cut_short_after_its_key_proves_nothing()
    {
        var line = WrittenLine();
        File.WriteAllText(CachePath, line[..(line.IndexOf('\t') + 2)] + "\n");

        Assert.Empty(LookupAfresh());
    }

    [Fact]
    public void Garbage_in_the_file_is_ignored_and_the_good_lines_still_count()
    {
        var line = WrittenLine();
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(CachePath, [.. garbage, (byte)'\n', .. System.Text.Encoding.UTF8.GetBytes(line + "\n"), .. garbage]);

        Assert.Equal([Green], LookupAfresh().Keys);
    }

    [Fact]
    public void A_line_of_another_format_is_not_read_as_this_one()
    {
        var line = WrittenLine();
        // An older or newer layout: one field fewer, or one more.
        File.WriteAllText(CachePath, string.Join('\t', line.Split('\t')[..3]) + "\n" + line + "\textra\n");

        Assert.Empty(LookupAfresh());
    }

    [Fact]
    public void A_fact_cached_under_another_service_name_proves_nothing_here()
    {
        WrittenLine();

        Assert.Empty(LookupAfresh(scope: "payments"));
    }

    [Fact]
    public void An_unreadable_time_gives_a_fact_without_a_time_never_a_made_up_one()
    {
        var fields = WrittenLine().Split('\t');
        fields[2] = "not-a-time";
        File.WriteAllText(CachePath, string.Join('\t', fields) + "\n");

        Assert.Null(Assert.Single(LookupAfresh()).Value.RecordedAt);
    }

    [Fact]
    public void An_oversized_file_is_ignored_whole()
    {
        var line = WrittenLine();
        File.WriteAllText(CachePath, line + "\n" + new string('x', 5 << 20) + "\n");

        Assert.Empty(LookupAfresh());
    }

    [Fact]
    public void A_cache_path_that_is_a_folder_is_neither_read_nor_written_and_nothing_throws()
    {
        Directory.CreateDirectory(CachePath);
        var cache = new PositiveCache(new SystemFileSystem(), CachePath, "orders");

        cache.Remember(Stg, Ssm, [new GreenFact(Green, "ssm", At)]);

        Assert.Empty(LookupAfresh());
    }
}
