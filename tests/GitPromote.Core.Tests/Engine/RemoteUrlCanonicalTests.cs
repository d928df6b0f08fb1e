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
    public void A_CodeCommit_profile_is_the_account_and_is_kept_where_a_user_name_would_be_dropped()
    {
        var dev = RemoteUrls.Canonical("codecommit::eu-west-1://orders-dev@orders-service", "/srv/app");
        var prd = RemoteUrls.Canonical("codecommit::eu-west-1://orders-prd@orders-service", "/srv/app");

        Assert.NotEqual(dev, prd);
        Assert.Equal("codecommit::eu-west-1://orders-dev@orders-service", dev);
        Assert.Equal(RemoteUrls.Canonical("codecommit::eu-west-1://orders-service/", "/"), RemoteUrls.Canonical("codecommit::eu-west-1://orders-service", "/"));
        Assert.Equal("codecommit::eu-west-1://orders-dev@orders-service", RemoteUrls.Redact("codecommit::eu-west-1://orders-dev@orders-service"));
    }

    [Theory]
    [InlineData("codecommit::eu-west-1://orders-dev@orders-service", "eu-west-1", "orders-dev", "orders-service")]
    [InlineData("codecommit://orders-dev@orders-service", null, "orders-dev", "orders-service")]
    [InlineData("codecommit::us-east-2://orders-service", "us-east-2", null, "orders-service")]
    public void The_parts_of_a_git_remote_codecommit_url_are_read(string url, string? region, string? profile, string repository) =>
        Assert.Equal(new CodeCommitParts(region, profile, repository), RemoteUrls.CodeCommit(url));

    [Theory]
    [InlineData("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/orders-service")]
    [InlineData("codecommit::eu-west-1://")]
    [InlineData("/srv/git/prd.git")]
    public void Other_urls_have_no_codecommit_parts(string url) => Assert.Null(RemoteUrls.CodeCommit(url));

    [Fact]
    public void Different_repositories_stay_different()
    {
        Assert.NotEqual(RemoteUrls.Canonical("/srv/git/prd.git", "/"), RemoteUrls.Canonical("/srv/git/stg.git", "/"));
        Assert.NotEqual(RemoteUrls.Canonical("https://a.example/prd.git", "/"), RemoteUrls.Canonical("https://b.example/prd.git", "/"));
    }
}
