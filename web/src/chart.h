// A small bar chart of registry use per day, drawn with Dear ImGui's draw list (no plotting
// library to ship): one stacked bar a day (pulls, pushes, sign-ins), a legend with each
// series' total, a scale on the left and a few dates under the bars. The details drawer shows a
// token's, the activity page the organization's.
#pragma once

#include <string>

#include "state.h"

namespace console::ui {

// `usage` in a box `width` x `height` at the cursor (which moves below it). Over a day, a
// tooltip: "2026-12-01 · 3 pulls · 0 pushes · 2 sign-ins". While the first answer is awaited, on
// a failure, and over a period without any use ("No use in the last 30 days") it says so instead
// of drawing bars. Published to the test hook as `test_name` (text: what it says; "state":
// loading, error, empty or loaded; "hover": the hovered day's words) and each day's column as
// `test_name` + ".day." + its date.
void UsageChart(const UsageSeries& usage, float width, float height, const std::string& test_name);

}  // namespace console::ui
