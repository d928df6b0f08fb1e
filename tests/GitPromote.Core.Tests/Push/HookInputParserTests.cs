using System.Text;
using GitPromote.Core.Push;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Push;

public class HookInputParserTests
{
    private static readonly string A = Ids.Sha1('a');
    private static readonly string B = Ids.Sha1('b');
    private static readonly string A256 = Ids.Sha256('a');
    private static readonly string B256 = Ids.Sha256('b');

    [Fact]
    public void Pre_push_line_becomes_a_ref_update()
    {
        var result = HookInputParser.ParsePrePush($"refs/heads/main {A} refs/heads/main {B}\n");

        Assert.Null(result.Error);
        var update = Assert.Single(result.Updates);
        Assert.Equal(new RefUpdate("refs/heads/main", A, "refs/heads/main", B), update);
        Assert.False(update.IsDeletion);
        Assert.False(update.IsCreation);
        Assert.Null(update.Commit);
    }

    [Fact]
    public void Pre_receive_line_becomes_a_ref_update()
    {
        var result = HookInputParser.ParsePreReceive($"{B} {A} refs/heads/main\n");

        Assert.Null(result.Error);
        Assert.Equal(new RefUpdate("refs/heads/main", A, "refs/heads/main", B), Assert.Single(result.Updates));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(64)]
    public void Pre_push_deletion_and_creation_are_recognised_for_both_hash_lengths(int length)
    {
        var zero = new string('0', length);
        var a = new string('a', length);
        var input = $"(delete) {zero} refs/heads/old {a}\nrefs/heads/new {a} refs/heads/new {zero}\n";

        var result = HookInputParser.ParsePrePush(input);

        Assert.Null(result.Error);
        Assert.Collection(result.Updates,
            deletion => { Assert.True(deletion.IsDeletion); Assert.False(deletion.IsCreation); Assert.Equal("(delete)", deletion.LocalRef); },
            creation => { Assert.True(creation.IsCreation); Assert.False(creation.IsDeletion); });
    }

    [Fact]
    public void Pre_receive_of_sha256_ids_with_deletion_and_creation()
    {
        var input = $"{Ids.Zero64} {A256} refs/heads/main\n{B256} {Ids.Zero64} refs/heads/gone\n";

        var result = HookInputParser.ParsePreReceive(input);

        Assert.Null(result.Error);
        Assert.Collection(result.Updates,
            u => { Assert.True(u.IsCreation); Assert.Equal(A256, u.NewId); },
            u => { Assert.True(u.IsDeletion); Assert.Equal("refs/heads/gone", u.RemoteRef); });
    }

    [Fact]
    public void Many_refs_keep_their_order()
    {
        var input = string.Concat(Enumerable.Range(0, 50).Select(i => $"refs/heads/b{i} {Ids.Commit(i)} refs/heads/b{i} {Ids.Zero40}\n"));

        var result = HookInputParser.ParsePrePush(input);

        Assert.Null(result.Error);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"refs/heads/b{i}"), result.Updates.Select(u => u.RemoteRef));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\n\n\r\n")]
    public void Empty_input_is_an_empty_push(string input)
    {
        foreach (var result in new[] { HookInputParser.ParsePrePush(input), HookInputParser.ParsePreReceive(input) })
        {
            Assert.Null(result.Error);
            Assert.Empty(result.Updates);
        }
    }

    [Fact]
    public void Crlf_line_endings_are_tolerated()
    {
        var result = HookInputParser.ParsePrePush($"refs/heads/main {A} refs/heads/main {B}\r\nrefs/heads/x {B} refs/heads/x {A}\r\n");

        Assert.Null(result.Error);
        Assert.Equal(2, result.Updates.Count);
        Assert.Equal(B, result.Updates[0].OldId);
    }

    [Fact]
    public void Last_line_without_newline_is_read()
    {
        Assert.Single(HookInputParser.ParsePreReceive($"{B} {A} refs/heads/main").Updates);
    }

    /// <summary>
    /// git passes the local side of the refspec as the user wrote it, so it may be a revision expression
    /// with spaces (<c>git push prd "main@{1 day ago}:main"</c>); the other three fields never have spaces.
    /// </summary>
    [Theory]
    [InlineData("main@{1 day ago}")]
    [InlineData("HEAD~1")]
    [InlineData("HEAD^{commit}")]
    public void Pre_push_local_ref_is_whatever_the_user_typed(string localRef)
    {
        var result = HookInputParser.ParsePrePush($"{localRef} {A} refs/heads/main {Ids.Zero40}\n");

        Assert.Null(result.Error);
        Assert.Equal(localRef, Assert.Single(result.Updates).LocalRef);
    }

    public static TheoryData<string, string> GarbagePrePush => new()
    {
        { "refs/heads/main refs/heads/main\n", "line 1: expected 4 space-separated fields, got 2" },
        { $"refs/heads/main {A} refs/heads/main {B} extra\n", "line 1: 'refs/heads/main' is not an object name" },
        { $"refs/heads/main {A}  refs/heads/main {B}\n", "line 1: '' is not an object name" },
        { $"refs/heads/main {A.ToUpperInvariant()} refs/heads/main {B}\n", $"line 1: '{A.ToUpperInvariant()}' is not an object name" },
        { $"refs/heads/main {A[..39]}g refs/heads/main {B}\n", $"line 1: '{A[..39]}g' is not an object name" },
        { $"refs/heads/main {A[..39]} refs/heads/main {B[..39]}\n", $"line 1: '{A[..39]}' is not an object name" },
        { $"refs/heads/main {A} refs/heads/main {B256}\n", "line 1: object names of mixed lengths" },
        { $"refs/heads/a {A} refs/heads/a {B}\nrefs/heads/b {A256} refs/heads/b {B256}\n", "line 2: object names of mixed lengths" },
        { $"refs/heads/main {A} main {B}\n", "line 1: 'main' is not a ref name" },
        { $"refs/heads/main {A} refs/heads/ma\u001bin {B}\n", "line 1: 'refs/heads/ma?in' is not a ref name" },
        // A lone CR would otherwise hide a second ref update inside the free-text local ref.
        { $"refs/heads/main {A} refs/heads/main {B}\rrefs/heads/x {A} refs/heads/x {B}\n", $"line 1: 'refs/heads/main {A} ref...' is not a local ref" },
        { $" {A} refs/heads/main {B}\n", "line 1: '' is not a local ref" },
        { $"refs/heads/m\u0007 {A} refs/heads/main {B}\n", "line 1: 'refs/heads/m?' is not a local ref" },
        { $"\n\nrefs/heads/main {A} refs/heads/main\n", "line 3: expected 4 space-separated fields, got 3" },
    };

    [Theory]
    [MemberData(nameof(GarbagePrePush))]
    public void Garbage_pre_push_input_is_refused_naming_the_line(string input, string expected)
    {
        var result = HookInputParser.ParsePrePush(input);

        Assert.Equal(expected, result.Error);
        Assert.Empty(result.Updates);
    }

    public static TheoryData<string, string> GarbagePreReceive => new()
    {
        { $"{B} {A}\n", "line 1: expected 3 space-separated fields, got 2" },
        { $"{B} {A} refs/heads/main extra\n", "line 1: expected 3 space-separated fields, got 4" },
        { $"{B} {A} refs/heads/main\n{B} nothex refs/heads/x\n", "line 2: 'nothex' is not an object name" },
        { $"{B} {A256} refs/heads/main\n", "line 1: object names of mixed lengths" },
        { $"{B} {A} HEAD\n", "line 1: 'HEAD' is not a ref name" },
        { $"{B}\t{A}\trefs/heads/main\n", "line 1: expected 3 space-separated fields, got 1" },
    };

    [Theory]
    [MemberData(nameof(GarbagePreReceive))]
    public void Garbage_pre_receive_input_is_refused_naming_the_line(string input, string expected)
    {
        var result = HookInputParser.ParsePreReceive(input);

        Assert.Equal(expected, result.Error);
        Assert.Empty(result.Updates);
    }

    [Fact]
    public void Binary_garbage_is_refused_with_a_printable_message()
    {
        var random = new Random(7);
        var bytes = new byte[64 * 1024];
        random.NextBytes(bytes);
        var input = Encoding.Latin1.GetString(bytes);

        foreach (var result in new[] { HookInputParser.ParsePrePush(input), HookInputParser.ParsePreReceive(input) })
        {
            Assert.NotNull(result.Error);
            Assert.StartsWith("line ", result.Error);
            Assert.DoesNotContain(result.Error, char.IsControl);
            Assert.True(result.Error.Length < 200);
            Assert.Empty(result.Updates);
        }
    }

    [Fact]
    public void Long_garbage_field_is_shortened_in_the_message()
    {
        var result = HookInputParser.ParsePreReceive($"{new string('x', 5000)} {A} refs/heads/main\n");

        Assert.Equal($"line 1: '{new string('x', 60)}...' is not an object name", result.Error);
    }

    [Fact]
    public void Push_of_more_than_the_maximum_refs_is_refused()
    {
        var line = $"{B} {A} refs/heads/main\n";
        var atLimit = new StringBuilder(line.Length * (HookInputParser.MaxLines + 1));
        for (var i = 0; i < HookInputParser.MaxLines; i++) atLimit.Append(line);

        Assert.Equal(HookInputParser.MaxLines, HookInputParser.ParsePreReceive(atLimit.ToString()).Updates.Count);

        atLimit.Append(line);
        var over = HookInputParser.ParsePreReceive(atLimit.ToString());
        Assert.Equal($"more than {HookInputParser.MaxLines} ref updates in one push", over.Error);
        Assert.Empty(over.Updates);
    }
}
