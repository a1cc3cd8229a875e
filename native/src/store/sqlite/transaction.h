// The store's queries on one SQLite connection, as a Transaction.
#pragma once

#include <functional>

#include "store/sqlite/connection.h"

namespace oatd::sqlite {

// Runs `work` with the queries of `connection` (the caller has begun the transaction).
void run_queries(Connection& connection, const std::function<void(Transaction&)>& work);

}  // namespace oatd::sqlite
