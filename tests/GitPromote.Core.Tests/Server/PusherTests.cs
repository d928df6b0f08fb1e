using GitPromote.Core.Evidence;
using GitPromote.Core.Server;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Server;

/// <summary>Who is pushing, as the server names them: the first variable in the precedence that says, cleaned and bounded.</summary>
public sealed class PusherTests
{
    private static PusherSource Describe(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return Pusher.Describe(new LookupEnvironment(name => map.GetValueOrDefault(name)));
    }

    [Fact]
    public void The_admins_name_for_an_ssh_key_beats_every_host_variable_and_the_account()
    {
        var who = Describe(("PROMOTE_PUSHER", "ada"), ("GL_USERNAME", "gl"), ("REMOTE_USER", "http"), ("USER", "git"));
        Assert.Equal(new PusherSource(new Identity("ada", ""), "PROMOTE_PUSHER"), who);
        Assert.False(who.IsAccount);
    }

    [Theory]
    [InlineData("GL_USERNAME", "GL_USER")]
    [InlineData("GL_USER", "GITHUB_USER_LOGIN")]
    [InlineData("GITHUB_USER_LOGIN", "GITEA_PUSHER_NAME")]
    [InlineData("GITEA_PUSHER_NAME", "REMOTE_USER")]
    [InlineData("REMOTE_USER", "USER")]
    [InlineData("USER", "LOGNAME")]
    public void Each_host_variable_beats_the_ones_after_it(string first, string second) =>
        Assert.Equal(first, Describe((second, "second"), (first, "first")).Variable);

    [Fact]
    public void Gitea_names_the_pusher_with_their_email() =>
        Assert.Equal(new Identity("ada", "ada@example.com"), Describe(("GITEA_PUSHER_NAME", "ada"), ("GITEA_PUSHER_EMAIL", "ada@example.com")).Identity);

    [Fact]
    public void Over_ssh_the_pusher_is_the_login_account()
    {
        var who = Describe(("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"), ("USER", "git"));
        Assert.Equal(new Identity("git", ""), who.Identity);
        Assert.True(who.IsAccount);
    }

    [Fact]
    public void A_git_daemon_push_is_anonymous_not_the_daemons_account()
    {
        var who = Describe(("REMOTE_ADDR", "10.0.0.1"), ("USER", "gitdaemon"), ("LOGNAME", "gitdaemon"));
        Assert.Equal(Identity.Unknown, who.Identity);
        Assert.Null(who.Variable);
    }

    [Fact]
    public void An_ssh_session_counts_as_ssh_even_when_remote_addr_is_set() =>
        Assert.Equal("USER", Describe(("SSH_CLIENT", "10.0.0.1 5000 22"), ("REMOTE_ADDR", "10.0.0.1"), ("USER", "git")).Variable);

    [Fact]
    public void A_local_push_is_by_the_local_user_and_logname_stands_in_for_user() =>
        Assert.Equal(new PusherSource(new Identity("ada", ""), "LOGNAME"), Describe(("LOGNAME", "ada")));

    [Fact]
    public void Nobody_said_is_unknown() =>
        Assert.Equal(new PusherSource(Identity.Unknown, null), Describe());

    [Fact]
    public void A_blank_variable_does_not_count_and_the_next_one_decides() =>
        Assert.Equal("GL_USER", Describe(("PROMOTE_PUSHER", "  "), ("GL_USERNAME", ""), ("GL_USER", "gl")).Variable);

    [Fact]
    public void Control_characters_and_angle_brackets_are_removed_so_a_name_cannot_forge_an_identity_line() =>
        Assert.Equal("ada[31m evil@x", Describe(("PROMOTE_PUSHER", "ada\u001b[31m <evil@x>\n")).Identity.Name);

    [Fact]
    public void A_name_is_cut_at_a_hundred_characters() =>
        Assert.Equal(new string('a', 100), Describe(("REMOTE_USER", new string('a', 5000))).Identity.Name);

    [Fact]
    public void From_is_the_identity_that_describe_finds() =>
        Assert.Equal(new Identity("gl", ""), Pusher.From(new LookupEnvironment(name => name == "GL_USER" ? "gl" : null)));

    [Theory]
    [InlineData("pipeline ")]
    [InlineData("<pipeline>")]
    [InlineData("pipe\u0001line")]
    public void The_exact_name_is_kept_as_the_server_gave_it_and_only_the_displayed_one_is_cleaned(string given)
    {
        var pusher = Describe(("GL_USERNAME", given));
        Assert.Equal(given, pusher.Exact.Name);
        Assert.Equal("pipeline", pusher.Identity.Name);
        Assert.False(RecordWriters.MayWriteGreen(pusher.Exact, ["pipeline"]));
    }
}
