// The configuration file (native/src/config): TOML keys given to a command's options, checked by
// the options' own validators, every problem reported with its line, and options already given
// keeping their values.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace {

// A command like serve, in small: a text option with a validator, a number in a range, a
// repeatable one and a flag.
struct Command {
  CLI::App app{"test", "serve"};
  std::string listen = "127.0.0.1:8080";
  long long lifetime = 600;
  std::vector<std::string> origins;
  bool verbose = false;

  Command() {
    app.add_option("--listen", listen)->check([](const std::string& v) {
      return v.find(':') == std::string::npos ? std::string("must be host:port") : std::string();
    });
    app.add_option("--lifetime", lifetime)->check(CLI::Range(1LL, 86400LL));
    app.add_option("--cors-origin", origins);
    app.add_flag("--verbose", verbose);
    app.add_option("--config");
  }
};

std::vector<std::string> texts(const std::vector<oatd::config::Problem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.text());
  return out;
}

TEST(Config, EveryKeyReachesItsOption) {
  Command c;
  const auto problems = oatd::config::apply(c.app, R"(
listen = "0.0.0.0:9000"
lifetime = 60
cors-origin = ["https://a.example", "https://b.example"]
verbose = true
)", "f.toml");
  EXPECT_TRUE(problems.empty()) << testing::PrintToString(texts(problems));
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.lifetime, 60);
  EXPECT_EQ(c.origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_TRUE(c.verbose);
}

TEST(Config, ARepeatableOptionTakesOneStringToo) {
  Command c;
  EXPECT_TRUE(oatd::config::apply(c.app, "cors-origin = \"https://a.example\"\n", "f.toml").empty());
  EXPECT_EQ(c.origins, (std::vector<std::string>{"https://a.example"}));
}

TEST(Config, AnOptionAlreadyGivenKeepsItsValue) {
  Command c;
  c.app.parse(std::vector<std::string>{"127.0.0.1:1", "--listen"});  // CLI11 takes them reversed
  ASSERT_EQ(c.listen, "127.0.0.1:1");
  EXPECT_TRUE(oatd::config::apply(c.app, "listen = \"0.0.0.0:9000\"\nlifetime = 5\n", "f.toml").empty());
  EXPECT_EQ(c.listen, "127.0.0.1:1");
  EXPECT_EQ(c.lifetime, 5);
}

TEST(Config, EveryProblemIsReportedWithItsLineInFileOrder) {
  Command c;
  const auto problems = oatd::config::apply(c.app,
                                            "# settings\n"
                                            "zeta = 1\n"
                                            "listen = 8080\n"
                                            "lifetime = 999999\n"
                                            "cors-origin = [\"https://a\", 3]\n"
                                            "verbose = \"yes\"\n"
                                            "config = \"other.toml\"\n"
                                            "alpha = \"x\"\n"
                                            "[listen2]\n",
                                            "f.toml");
  EXPECT_EQ(texts(problems),
            (std::vector<std::string>{
                "f.toml:2:1: unknown key \"zeta\" (the keys are the long options of `oatd serve "
                "--help` without the dashes)",
                "f.toml:3:1: listen must be a string (in quotes)",
                "f.toml:4:1: lifetime: Value 999999 not in range 1 to 86400",
                "f.toml:5:1: cors-origin must be a list of strings ([\"...\", \"...\"])",
                "f.toml:6:1: verbose must be true or false",
                "f.toml:7:1: unknown key \"config\" (the keys are the long options of `oatd serve "
                "--help` without the dashes)",
                "f.toml:8:1: unknown key \"alpha\" (the keys are the long options of `oatd serve "
                "--help` without the dashes)",
                "f.toml:9:2: [listen2] is a table; oatd's settings are plain keys (listen2 = ...) at "
                "the top of the file",
            }));
  // Nothing refused was taken.
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.lifetime, 600);
}

TEST(Config, AValidatorsRefusalNamesTheKey) {
  Command c;
  const auto problems = oatd::config::apply(c.app, "\n\nlisten = \"nowhere\"\n", "f.toml");
  EXPECT_EQ(texts(problems), (std::vector<std::string>{"f.toml:3:1: listen: must be host:port"}));
}

TEST(Config, ASyntaxErrorIsOneProblemWithItsPlace) {
  Command c;
  const auto problems = oatd::config::apply(c.app, "listen = \"a:1\"\nlifetime = = 3\n", "f.toml");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_GT(problems[0].column, 0);
  EXPECT_NE(problems[0].message.find("not valid TOML"), std::string::npos) << problems[0].message;
  EXPECT_EQ(c.listen, "127.0.0.1:8080") << "a file that does not parse gives nothing";
}

TEST(Config, AFileThatCannotBeReadIsOneProblem) {
  Command c;
  const auto problems = oatd::config::apply_file(c.app, "/nonexistent/oatd.toml");
  EXPECT_EQ(texts(problems),
            (std::vector<std::string>{"/nonexistent/oatd.toml: cannot read the configuration file"}));
}

}  // namespace
