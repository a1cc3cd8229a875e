#include "redraw.h"

#include <limits>

namespace console::redraw {
namespace {

bool g_animate = false;
bool g_reduced_motion = false;
double g_at = std::numeric_limits<double>::infinity();

}  // namespace

void Animate() { g_animate = true; }

void At(double clock) {
  if (clock < g_at) g_at = clock;
}

bool Due(double clock) {
  bool due = g_animate;
  g_animate = false;
  if (clock >= g_at) {
    due = true;
    g_at = std::numeric_limits<double>::infinity();
  }
  return due;
}

void SetReducedMotion(bool reduced) { g_reduced_motion = reduced; }
bool ReducedMotion() { return g_reduced_motion; }

}  // namespace console::redraw
