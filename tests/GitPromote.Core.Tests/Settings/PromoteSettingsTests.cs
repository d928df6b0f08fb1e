using GitPromote.Core.Settings;

namespace GitPromote.Core.Tests.Settings;

public sealed class PromoteSettingsTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("yes")]
    [InlineData("On")]
    [InlineData("2")]
    [InlineData("-1")]
    [InlineData(" yes ")]
    public void A_yes_no_setting_is_yes_as_git_reads_a_boolean(string value) => Assert.True(PromoteSettings.IsTrue(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("false")]
    [InlineData("no")]
    [InlineData("off")]
    [InlineData("y")]
    [InlineData("enabled")]
    public void Anything_else_or_unset_is_no(string? value) => Assert.False(PromoteSettings.IsTrue(value));

    [Fact]
    public void A_per_environment_setting_shows_its_placeholder_and_completes_to_the_name_the_code_reads()
    {
        var role = Assert.Single(PromoteSettings.All, s => s.Name == PromoteSettings.Variables.AwsRolePrefix);
        Assert.Equal("PROMOTE_AWS_ROLE_<ENV>", role.Shown);
        Assert.Equal("promote.remote.stg", PromoteSettings.GitKeys.RemoteFor("stg"));
    }

    [Fact]
    public void Every_setting_says_where_it_applies_its_default_and_its_meaning()
    {
        Assert.All(PromoteSettings.All, s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Where), s.Name);
            Assert.False(string.IsNullOrWhiteSpace(s.Default), s.Name);
            Assert.False(string.IsNullOrWhiteSpace(s.Meaning), s.Name);
        });
        Assert.Equal(PromoteSettings.All.Count, PromoteSettings.All.Select(s => s.Name).Distinct().Count());
    }
}
