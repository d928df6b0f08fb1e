using GitPromote.Core.Engine;

namespace GitPromote.Core.Tests.Engine;

public sealed class RemoteUrlCanonicalTests
{
    [Theory]
    [InlineData("/srv/git/prd.git")]
    [InlineData("/srv/git/prd.git/")]
    [InlineData("/srv/git/prd")]
    [InlineData("/srv/git/prd/.git")]
    [InlineData("file:///srv/git/prd.git")]
    [InlineData("file://localhost/srv/git/prd.git/")]
    [InlineData("../git/prd.git")]
    [InlineData("./../git/prd")]
    public void Every_spelling_of_a_local_repository_is_one_canonical_url(string spelling) =>
        Assert.Equal("/srv/git/prd", RemoteUrls.Canonical(spelling, "/srv/app"));

    [Theory]
    [InlineData("https://git.example.com/team/prd.git")]
    [InlineData("HTTPS://alice:token@Git.Example.com/team/prd.git/")]
    [InlineData("https://git.example.com/team/prd")]
    public void Https_spellings_differ_only_in_case_credentials_and_suffix(string spelling) =>
        Assert.Equal("https://git.example.com/team/prd", RemoteUrls.Canonical(spelling, "/srv/app"));

    [Theory]
    [InlineData("git@git.example.com:team/prd.git")]
    [InlineData("ssh://git@git.example.com/team/prd.git")]
    [InlineData("ssh://git.example.com/team/prd/")]
    public void Scp_like_and_ssh_urls_are_one_spelling(string spelling) =>
        Assert.Equal("ssh://git.example.com/team/prd", RemoteUrls.Canonical(spelling, "/srv/app"));

    [Fact]
    public void Different_repositories_stay_different()
    {
        Assert.NotEqual(RemoteUrls.Canonical("/srv/git/prd.git", "/"), RemoteUrls.Canonical("/srv/git/stg.git", "/"));
        Assert.NotEqual(RemoteUrls.Canonical("https://a.example/prd.git", "/"), RemoteUrls.Canonical("https://b.example/prd.git", "/"));
    }
}
