// The GoogleTest fixture of the integration tests: loads the env file of
// the test server (failing the test if it is missing), connects as root and
// gives every test a fresh source database with source_schema.sql loaded.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "tests/integration/mariadb_env.h"

namespace sellertrust::testing {

class MariadbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    env_ = MariadbEnv::load(&error);
    ASSERT_TRUE(env_.has_value()) << error;
    root_ = std::make_unique<MysqlConnection>(env_->root());
    resetSourceDb(*root_, *env_);
  }

  const MariadbEnv& env() const { return *env_; }
  MysqlConnection& root() { return *root_; }

 private:
  std::optional<MariadbEnv> env_;
  std::unique_ptr<MysqlConnection> root_;
};

}  // namespace sellertrust::testing
