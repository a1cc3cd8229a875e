// The whole OAT rule book.
#pragma once

#include "oat/api.h"
#include "oat/audit.h"
#include "oat/error.h"
#include "oat/lifecycle.h"
#include "oat/network.h"
#include "oat/oidc.h"
#include "oat/plan.h"
#include "oat/registry.h"
#include "oat/resource.h"
#include "oat/role.h"
#include "oat/scope.h"
#include "oat/time.h"
#include "oat/token_format.h"
#include "oat/token_policy.h"
#include "oat/webhook.h"
#include "oat/wire.h"
