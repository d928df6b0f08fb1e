using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Evidence;

public class RecordJsonTests
{
    private static readonly string Commit = Ids.Sha1('a');
    private static readonly DateTimeOffset At = new(2024, 6, 1, 14, 30, 5, TimeSpan.FromHours(2));
    private static readonly Identity Ada = new("Ada", "ada@example.com");

    [Fact]
    public void Green_body_is_json_with_utc_time_and_reads_back()
    {
        var body = RecordJson.GreenBody(Commit, "stg", Ada, At);

        Assert.Equal($$"""{"commit":"{{Commit}}","environment":"stg","recordedAt":"2024-06-01T12:30:05Z","recordedBy":"Ada \u003Cada@example.com\u003E"}""",
            body);
        var (at, by) = RecordJson.ReadGreen(body);
        Assert.Equal(At, at);
        Assert.Equal("Ada <ada@example.com>", by);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("green")]
    [InlineData("{not json")]
    [InlineData("{\"recordedAt\": 12}")]
    [InlineData("[1,2]")]
    public void Green_body_that_a_pipeline_wrote_freely_reads_as_unknown(string? body)
    {
        Assert.Equal((null, null), RecordJson.ReadGreen(body));
    }

    [Fact]
    public void Green_body_from_aws_cli_with_extra_fields_is_read()
    {
        var (at, by) = RecordJson.ReadGreen("""{ "recordedAt": "2024-06-01T12:00:00Z", "recordedBy": "codebuild", "pipelineExecutionId": "x", }""");

        Assert.Equal(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero), at);
        Assert.Equal("codebuild", by);
    }

    [Fact]
    public void Bypass_record_round_trips()
    {
        var record = new BypassRecord("prd", Commit, "refs/heads/main", "INC-12: \"quoted\" and \n newline", Ada,
            new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero), "prd");

        var back = RecordJson.ReadBypass(RecordJson.BypassBody(record));

        Assert.Equal(record, back);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"environment\":\"prd\",\"commit\":\"a\"}")]
    public void Body_that_is_not_a_bypass_record_reads_as_null(string? body)
    {
        Assert.Null(RecordJson.ReadBypass(body));
    }

    [Fact]
    public void Bypass_record_with_missing_optional_fields_gets_placeholders()
    {
        var back = RecordJson.ReadBypass($$"""{"environment":"prd","commit":"{{Commit}}","justification":"INC-1: something broke"}""");

        Assert.NotNull(back);
        Assert.Equal("", back.Ref);
        Assert.Equal(new Identity("unknown", ""), back.By);
        Assert.Equal(DateTimeOffset.MinValue, back.At);
        Assert.Null(back.Remote);
    }

    [Theory]
    [InlineData("Ada", "ada@example.com", "Ada <ada@example.com>")]
    [InlineData("ci", "", "ci")]
    public void Identity_prints_name_and_email_when_known(string name, string email, string expected)
    {
        Assert.Equal(expected, new Identity(name, email).ToString());
    }
}
