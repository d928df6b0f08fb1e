using System.Diagnostics;
using System.Text;
using GitPromote.Core.Policy;
using Xunit.Abstractions;

namespace GitPromote.Core.Tests.Policy;

/// <summary>
/// The policy may come from anyone who can push a commit. Each input here is about the size limit; the
/// loader must finish quickly with an error, not hang, throw or blow up memory. The time bound is loose on
/// purpose (a quadratic parser takes minutes on these); the measured time is printed for the record.
/// </summary>
public class PolicyLoaderHostileInputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);
    private const int Size = (int)PolicyLoader.MaxBytes - 16;

    public static TheoryData<string, string, string> HostileInputs()
    {
        var random = new Random(20240601);
        var data = new TheoryData<string, string, string>
        {
            // Half the size in characters: above U+007F each is two bytes of UTF-8.
            { "binary garbage", new string(Enumerable.Range(0, Size / 2).Select(_ => (char)random.Next(0, 256)).ToArray()), "control character" },
            { "yaml punctuation garbage", Garbage(random, " \n:-[]{},#&*!|>'\"%@?abc123\t"), "" },
            { "printable garbage", Garbage(random, string.Concat(Enumerable.Range(32, 95).Select(c => (char)c)) + "\n\n\n"), "" },
            { "deep flow nesting", new string('[', Size), "nested deeper than 32 levels" },
            { "deep flow mappings", Repeat("{a: ", Size), "nested deeper than 32 levels" },
            { "deep block nesting", string.Concat(Enumerable.Range(0, 1000).Select(i => new string(' ', i) + "a:\n")), "nested deeper than 32 levels" },
            { "deep block sequences", Repeat("- ", Size), "nested deeper than 32 levels" },
            { "very many keys", Repeat("k: v\n", Size), "more than 10000 YAML nodes" },
            { "very many list items", "version: 1\nbranches:\n" + Repeat("- main\n", Size - 30), "more than 10000 YAML nodes" },
            { "billion laughs", BillionLaughs(), "anchors and aliases are not supported" },
            { "many documents", Repeat("---\n", Size), "only one YAML document" },
            { "one huge scalar", "version: 1\nname: " + new string('x', Size - 20), "'name' must be 1 to 100" },
            { "one huge key", new string('k', Size - 10) + ": v\n", "invalid YAML" },
            { "long key", "version: 1\n" + new string('k', 1000) + ": v\n", "unknown key 'kkkk" },
            { "huge quoted scalar", "name: \"" + Repeat("\\u0041", Size - 20) + "\"\n", "" },
            { "many long lines", Repeat(new string('x', 5000) + "\n", Size), "" },
            { "unclosed quote", "version: 1\nname: '" + new string('x', Size - 20), "invalid YAML" },
            { "huge tag", "version: !" + new string('t', Size - 20) + " 1\n", "YAML tags ('!ttt" },
            { "huge regex", "version: 1\nbypass:\n  justification: '" + Repeat("(a+)+", 200_000) + "'\n", "at most 1000 characters" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public void Hostile_policy_fails_fast_with_an_error(string label, string yaml, string expectedFragment)
    {
        var watch = Stopwatch.StartNew();
        var result = PolicyLoader.Load(yaml, ".promote.yml", "repo");
        watch.Stop();
        output.WriteLine($"{label}: {yaml.Length} chars, {watch.ElapsedMilliseconds} ms, {result.Errors.Count} errors; first: " +
            $"{result.Errors.FirstOrDefault()}");

        Assert.False(result.IsValid);
        Assert.NotEmpty(result.Errors);
        Assert.True(watch.Elapsed < Generous, $"{label} took {watch.Elapsed}");
        Assert.Contains(result.Errors, e => e.Message.Contains(expectedFragment, StringComparison.Ordinal));
        Assert.All(result.Errors, e =>
        {
            Assert.True(e.Message.Length < 400, $"message too long: {e.Message.Length} chars");
            Assert.DoesNotContain(e.Message, char.IsControl);
        });
        Assert.True(result.Errors.Count <= PolicyLoader.MaxErrors + 1);
    }

    [Fact]
    public void Nesting_at_the_limit_is_still_read()
    {
        // 31 levels of lists under the root mapping: deep, but allowed; the type error proves it was read.
        var yaml = "version: 1\nbranches: " + new string('[', 31) + new string(']', 31) + "\n";
        var result = PolicyLoader.Load(yaml, ".promote.yml", "repo");
        Assert.Contains(result.Errors, e => e.Message == "'branches' must be a list of strings");
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("nested deeper", StringComparison.Ordinal));
    }

    [Fact]
    public void Anchor_without_alias_is_refused_too()
    {
        var result = PolicyLoader.Load("version: &v 1\n", ".promote.yml", "repo");
        Assert.Equal(".promote.yml:1:10: anchors and aliases are not supported", Assert.Single(result.Errors).ToString());
    }

    private static string Garbage(Random random, string alphabet)
    {
        var builder = new StringBuilder(Size);
        while (builder.Length < Size) builder.Append(alphabet[random.Next(alphabet.Length)]);
        return builder.ToString();
    }

    private static string Repeat(string unit, int size)
    {
        var builder = new StringBuilder(size + unit.Length);
        while (builder.Length + unit.Length <= size) builder.Append(unit);
        return builder.ToString();
    }

    private static string BillionLaughs()
    {
        var builder = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var c = 'b'; c <= 'i'; c++)
        {
            var prev = (char)(c - 1);
            builder.Append($"{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n");
        }
        return builder.ToString();
    }
}
