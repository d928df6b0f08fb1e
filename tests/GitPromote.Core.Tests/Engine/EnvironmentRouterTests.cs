using GitPromote.Core.Engine;
using GitPromote.TestSupport;

namespace GitPromote.Core.Tests.Engine;

public class EnvironmentRouterTests
{
    private static readonly GitPromote.Core.Policy.PromotionPolicy Policy = TestPolicies.Orders(branches: ["main", "release/*", "refs/tags/v*"]);

    [Theory]
    [InlineData("dev", "/srv/git/dev.git", "dev")]
    [InlineData("origin", "git@github.com:acme/orders.git", "dev")]
    [InlineData("stg", "https://whatever.example.org/x.git", "stg")]
    [InlineData("prd", "/srv/git/prd.git", "prd")]
    [InlineData("staging", "https://git.example.com/stg/orders.git", "stg")]
    [InlineData("https://git.example.com/stg/orders.git", "https://git.example.com/stg/orders.git", "stg")]
    [InlineData("live", "ssh://git@git.example.com/orders-prd.git", "prd")]
    public void Remote_maps_to_environment_by_name_or_url_glob(string remoteName, string url, string expected)
    {
        Assert.Equal(expected, EnvironmentRouter.Resolve(Policy, remoteName, url)?.Name);
    }

    [Theory]
    [InlineData("github", "https://github.com/acme/orders.git")]
    [InlineData("Prd", "/srv/git/x.git")]
    [InlineData("prd2", "/srv/git/x.git")]
    [InlineData("", "")]
    public void Unknown_remote_maps_to_no_environment(string remoteName, string url)
    {
        Assert.Null(EnvironmentRouter.Resolve(Policy, remoteName, url));
    }

    [Fact]
    public void Url_glob_matches_the_url_without_its_credentials()
    {
        Assert.Equal("stg", EnvironmentRouter.Resolve(Policy, "x", "https://ci:s3cret@git.example.com/stg/orders.git")?.Name);
    }

    [Fact]
    public void Remote_matching_several_environments_gets_the_strictest_gate()
    {
        // "origin" is dev's remote by name; its URL also matches prd's glob.
        Assert.Equal("prd", EnvironmentRouter.Resolve(Policy, "origin", "ssh://git@host/orders-prd.git")?.Name);
    }

    [Theory]
    [InlineData("dev", false)]
    [InlineData("origin", false)]
    [InlineData("https://git.example.com/*", true)]
    [InlineData("git@host:repo", true)]
    [InlineData("*prd*", true)]
    [InlineData("prd-?", true)]
    [InlineData(@"C:\repos\prd", true)]
    public void Entries_with_url_or_glob_characters_are_url_patterns(string entry, bool expected)
    {
        Assert.Equal(expected, EnvironmentRouter.IsUrlPattern(entry));
    }

    [Fact]
    public void Remote_names_of_an_environment_leave_out_url_patterns()
    {
        Assert.Equal(["stg"], EnvironmentRouter.RemoteNames(Policy.Environments[1]));
        Assert.Equal(["dev", "origin"], EnvironmentRouter.RemoteNames(Policy.Environments[0]));
    }

    [Theory]
    [InlineData("refs/heads/main", true)]
    [InlineData("refs/heads/release/1.2", true)]
    [InlineData("refs/heads/release/1.2/hotfix", true)]
    [InlineData("refs/tags/v1.0", true)]
    [InlineData("refs/heads/mainline", false)]
    [InlineData("refs/heads/feature/main", false)]
    [InlineData("refs/heads/release", false)]
    [InlineData("refs/tags/1.0", false)]
    [InlineData("refs/heads/v1", false)]
    [InlineData("main", false)]
    [InlineData("refs/promote/green/abc", false)]
    public void Deploy_branches_are_matched_against_full_ref_names(string refName, bool expected)
    {
        Assert.Equal(expected, EnvironmentRouter.IsDeployBranch(Policy, refName));
    }

    [Fact]
    public void Default_branches_guard_only_main()
    {
        var policy = TestPolicies.Orders();
        Assert.True(EnvironmentRouter.IsDeployBranch(policy, "refs/heads/main"));
        Assert.False(EnvironmentRouter.IsDeployBranch(policy, "refs/heads/master"));
    }
}

public class GlobTests
{
    [Theory]
    [InlineData("", "", true)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything/at/all", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("a*c", "ac", true)]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "abbbd", false)]
    [InlineData("*.git", "https://host/x.git", true)]
    [InlineData("*.git", "https://host/x.git/", false)]
    [InlineData("https://*/stg/*", "https://host/stg/repo", true)]
    [InlineData("https://*/stg/*", "https://host/prd/repo", false)]
    [InlineData("*a*b*c*", "xxaxxbxxcxx", true)]
    [InlineData("*a*b*c*", "xxaxxcxxbxx", false)]
    [InlineData("abc", "ABC", false)]
    [InlineData("abc", "abcd", false)]
    [InlineData("abcd", "abc", false)]
    [InlineData("**", "x", true)]
    public void Star_matches_any_run_and_question_mark_one_character(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Glob.IsMatch(pattern, text));
    }
}

public class RemoteUrlsTests
{
    [Theory]
    [InlineData("https://user:token@github.com/acme/orders.git", "https://github.com/acme/orders.git")]
    [InlineData("https://ghp_abcdef123456@github.com/acme/orders.git", "https://github.com/acme/orders.git")]
    [InlineData("http://user:pw@host:8080/repo", "http://host:8080/repo")]
    [InlineData("HTTPS://user:pw@host/repo", "HTTPS://host/repo")]
    [InlineData("https://user:p%40ss@host", "https://host")]
    [InlineData("https://user:tok@en@host/repo", "https://host/repo")]
    [InlineData("ssh://git@git.example.com/orders.git", "ssh://git@git.example.com/orders.git")]
    [InlineData("ssh://git:secret@git.example.com/orders.git", "ssh://git.example.com/orders.git")]
    [InlineData("ssh://git@[::1]:2222/orders.git", "ssh://git@[::1]:2222/orders.git")]
    [InlineData("git@github.com:acme/orders.git", "git@github.com:acme/orders.git")]
    [InlineData("/srv/git/prd.git", "/srv/git/prd.git")]
    [InlineData("file:///srv/git/prd.git", "file:///srv/git/prd.git")]
    [InlineData("https://github.com/acme/orders@v1.git", "https://github.com/acme/orders@v1.git")]
    [InlineData("", "")]
    public void Credentials_are_removed_and_ssh_user_names_kept(string url, string expected)
    {
        Assert.Equal(expected, RemoteUrls.Redact(url));
    }

    [Theory]
    [InlineData("https://alice:hunter2@host/r", "hunter2")]
    [InlineData("https://x-access-token:ghs_SECRET@github.com/o/r", "ghs_SECRET")]
    [InlineData("https://ghs_SECRET@github.com/o/r", "ghs_SECRET")]
    [InlineData("ssh://deploy:p4ssw0rd@host/r", "p4ssw0rd")]
    public void Secrets_never_survive_redaction(string url, string secret)
    {
        Assert.DoesNotContain(secret, RemoteUrls.Redact(url));
    }
}
