// The OAT console: Dear ImGui on GLFW + WebGL2 in the browser.
//
// shell/loader.js reads config.json and starts this program with its arguments:
//   --api-base URL   where the API is ("" = the page's own origin)
//   --test-hook      publish widget rectangles for browser tests (the page had ?test=1)
//   --registry-host HOST[:PORT]  the registry the "docker login" line names (config.json)
// Each animation frame: follow the URL (Back, Forward), take the network's answers into the
// state, size the canvas to the window at the device's pixel ratio, draw the state, publish the
// test hook, write where the state went to the URL (route.h). A frame in which nothing can have
// changed (no input, no answer, no animation or timer) draws nothing (redraw.h).
// The system's preferences are read each frame (page.h): the theme follows prefers-color-scheme
// until the owner picks one with the toggle (theme::Shown), and prefers-reduced-motion stops
// whatever would move by itself (redraw.h).
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <utility>

#include "client.h"
#include "focus.h"
#include "glyphs.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "imgui_internal.h"
#include "keyboard.h"
#include "net.h"
#include "oat/registry.h"
#include "page.h"
#include "pointer.h"
#include "redraw.h"
#include "route.h"
#include "semantics.h"
#include "state.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"

namespace console {
namespace {

struct App {
  State state;
  GLFWwindow* window = nullptr;
  std::optional<Theme> applied_theme;
  std::optional<Theme> saved_theme;  // what "oat.theme" holds: the owner's last pick, if any
  std::optional<Route> published_route;  // what the URL's hash was last set to
  std::string title;
  int canvas_width = 0;
  int canvas_height = 0;
  bool fonts_on_gpu = false;
  ImGuiMouseCursor cursor = ImGuiMouseCursor_COUNT;
  page::Viewport drawn_viewport;
  double drawn_at = -1e9;  // State::clock of the last frame drawn
  int settle_frames = 0;   // frames still drawn after an event (popups size themselves, ...)
};

// After input or an answer, a few more frames let Dear ImGui settle (a popup appears hidden
// for a frame to measure itself; a click is seen down, then up).
constexpr int kSettleFrames = 4;
// Relative times ("3 minutes ago") move on by themselves: a frame at least this often.
constexpr double kHeartbeatSeconds = 1.0;
// A text field's caret blinks.
constexpr double kCaretSeconds = 0.2;

// The canvas's drawing buffer: the window's CSS size times the pixel ratio. shell/loader.js
// sizes the canvas the same way before the program starts, so that nothing is resized (and the
// WebGL drawing buffer made again) before the first frame.
std::pair<int, int> DrawingBufferSize(const page::Viewport& viewport) {
  return {std::max(1, static_cast<int>(std::lround(std::max(1.0f, viewport.width) * viewport.pixel_ratio))),
          std::max(1, static_cast<int>(std::lround(std::max(1.0f, viewport.height) * viewport.pixel_ratio)))};
}

// Pointer or key events that wait for this frame or a later one (each press and release is
// taken in a frame of its own).
bool InputWaiting() { return pointer::HasPending() || keyboard::HasPending(); }

// Whether this animation frame must be drawn.
bool NeedsFrame(App& app, const page::Viewport& viewport, double clock) {
  bool needed = false;
  if (page::TakeActivity() || net::HasAnswers() || InputWaiting()) {
    app.settle_frames = kSettleFrames;
    needed = true;
  } else if (app.settle_frames > 0) {
    --app.settle_frames;
    needed = true;
  }
  if (redraw::Due(clock)) needed = true;
  if (viewport.width != app.drawn_viewport.width || viewport.height != app.drawn_viewport.height ||
      viewport.pixel_ratio != app.drawn_viewport.pixel_ratio) {
    needed = true;
  }
  const double since = clock - app.drawn_at;
  if (since >= kHeartbeatSeconds) needed = true;
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput && io.ConfigInputTextCursorBlink && since >= kCaretSeconds) needed = true;
  if (app.applied_theme != app.state.theme) needed = true;
  return needed;
}

Config ParseArguments(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--api-base") == 0 && i + 1 < argc) {
      config.api_base = argv[++i];
      while (!config.api_base.empty() && config.api_base.back() == '/') config.api_base.pop_back();
    } else if (std::strcmp(argv[i], "--test-hook") == 0) {
      config.test_hook = true;
    } else if (std::strcmp(argv[i], "--registry-host") == 0 && i + 1 < argc) {
      const char* host = argv[++i];
      if (!oat::validate_registry_host(host, "registryHost")) config.registry_host = host;
    }
  }
  return config;
}

const char* CssCursor(ImGuiMouseCursor cursor) {
  switch (cursor) {
    case ImGuiMouseCursor_None: return "none";
    case ImGuiMouseCursor_TextInput: return "text";
    case ImGuiMouseCursor_ResizeAll: return "move";
    case ImGuiMouseCursor_ResizeNS: return "ns-resize";
    case ImGuiMouseCursor_ResizeEW: return "ew-resize";
    case ImGuiMouseCursor_ResizeNESW: return "nesw-resize";
    case ImGuiMouseCursor_ResizeNWSE: return "nwse-resize";
    case ImGuiMouseCursor_Hand: return "pointer";
    case ImGuiMouseCursor_NotAllowed: return "not-allowed";
    default: return "default";
  }
}

// The URL and the state follow each other (route.h). Back, Forward or a hash typed: the state
// goes where the URL says, and no entry is added.
void TakeRouteChange(App& app) {
  if (!page::TakeHashChange()) return;
  State& state = app.state;
  const std::string hash = page::Hash();
  const std::optional<Route> route = ParseRoute(hash);
  // Not a route, or not one of the person's organizations: the URL is set back to where the
  // console is (below, in place).
  app.published_route.reset();
  if (!route) return;
  if (!state.session.signed_in() || !state.orgs.loaded) {
    state.wanted_route = route;  // honoured once signed in and the organizations are known
    return;
  }
  const bool known = std::any_of(state.orgs.items.begin(), state.orgs.items.end(),
                                 [&](const Organization& o) { return o.name == route->org; });
  if (!known) return;
  ApplyRoute(state, *route);
  if (FormatRoute(*route) == hash) app.published_route = route;  // else written out in full
}

// Where the state went is written to the URL. A move the person made (drawn in the last frame:
// a tab, the organization picker, a token's details opened or closed) is a new history entry;
// one an answer made (the landing after sign-in, a token's drawer found gone) replaces the
// entry, as does the first route of the page.
void PublishRoute(App& app, bool new_entry) {
  const std::optional<Route> current = CurrentRoute(app.state);
  if (!current || current == app.published_route) return;
  const std::string hash = FormatRoute(*current);
  if (new_entry && app.published_route) {
    page::PushHash(hash);
    app.state.tokens_notice.clear();  // it was about the view left
  } else {
    page::ReplaceHash(hash);
  }
  app.published_route = current;
}

// The page's title names the view: "Access tokens · acme · OAT Console", a token's label for
// its drawer.
void FollowTitle(App& app) {
  const State& state = app.state;
  std::string title = "OAT Console";
  if (!state.session.signed_in()) {
    title = "Sign in \xC2\xB7 OAT Console";
  } else if (!state.selected_org.empty()) {
    const char* view = state.view == View::Activity   ? "Activity"
                       : state.view == View::Policy   ? "Token policy"
                       : state.view == View::CiSignIn ? "CI sign-in"
                                                      : "Access tokens";
    title = std::string(view) + " \xC2\xB7 " + state.selected_org + " \xC2\xB7 OAT Console";
    if (const std::string id = DrawerToken(state); !id.empty()) {
      std::string label = "Access token";
      if (state.details.token && state.details.token->id == id) {
        label = state.details.token->label;
      } else {
        for (const oat::AccessToken& t : state.tokens.items) {
          if (t.id == id) label = t.label;
        }
      }
      title = label + " \xC2\xB7 " + title;
    }
  }
  if (title != app.title) {
    page::SetTitle(title);
    app.title = title;
  }
}

// Dear ImGui dims the page behind a modal from nothing, over a sixth of a second after its
// first frame. Frames keep coming until the dimming is whole (an idle console would leave it
// half-way until the next heartbeat); with reduced motion it is whole in the first frame the
// dialog shows. On a phone there is none.
void FollowDimming() {
  if (!ImGui::GetTopMostPopupModal()) return;
  float& ratio = ImGui::GetCurrentContext()->DimBgRatio;
  if (theme::Narrow()) {
    // A dialog on the whole screen (a phone) has nothing behind it to dim; and 1.86 would draw
    // the dimming over the dialog's own background, whose draw commands it merges into one.
    ratio = 0.0f;
  } else if (redraw::ReducedMotion()) {
    ratio = 1.0f;
  } else if (ratio < 1.0f) {
    redraw::Animate();
  }
}

void Frame(void* arg) {
  App& app = *static_cast<App*>(arg);
  State& state = app.state;
  const page::Viewport viewport = page::ReadViewport();
  const double clock = emscripten_get_now() / 1000.0;
  // Before deciding whether to draw: a change of the system's preferences is activity, and a
  // theme other than the one applied is drawn.
  const page::Preferences preferences = page::ReadPreferences();
  state.theme = theme::Shown(state.theme_choice, preferences.light ? Theme::Light : Theme::Dark);
  redraw::SetReducedMotion(preferences.reduced_motion);
  ImGui::GetIO().ConfigInputTextCursorBlink = !preferences.reduced_motion;
  if (!NeedsFrame(app, viewport, clock)) {
    test_hook::IdleFrame();
    return;
  }
  app.drawn_viewport = viewport;
  app.drawn_at = clock;
  state.clock = clock;
  state.now = oat::from_unix(static_cast<long long>(std::time(nullptr)));

  TakeRouteChange(app);
  FollowOtherTabs(state);
  Pump(state);
  PublishRoute(app, /*new_entry=*/false);

  const float css_width = std::max(1.0f, viewport.width);
  const float css_height = std::max(1.0f, viewport.height);
  const auto [width, height] = DrawingBufferSize(viewport);
  if (width != app.canvas_width || height != app.canvas_height) {
    page::SetCanvasPixelSize(width, height);
    app.canvas_width = width;
    app.canvas_height = height;
  }
  // Moved to another screen, or zoom; or text showed characters the atlas lacked (glyphs.h).
  const bool glyphs_added = glyphs::TakeAdded();
  if (viewport.pixel_ratio != theme::LoadedPixelRatio() || glyphs_added) {
    theme::LoadFonts(viewport.pixel_ratio);
    if (app.fonts_on_gpu) {
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
  }
  // Only the owner's pick is saved: a theme that follows the system is not a choice, and saving
  // it would stop the following.
  if (state.theme_choice && state.theme_choice != app.saved_theme) {
    page::SaveSetting("oat.theme", theme::Name(*state.theme_choice));
    app.saved_theme = state.theme_choice;
  }
  if (app.applied_theme != state.theme) {
    theme::ApplyStyle(state.theme);
    page::SetPageTheme(theme::Name(state.theme));
    app.applied_theme = state.theme;
  }

  ImGui_ImplOpenGL3_NewFrame();
  app.fonts_on_gpu = true;
  ImGui_ImplGlfw_NewFrame();
  // Dear ImGui works in CSS pixels and draws into device pixels. The pointer comes from the
  // page's pointer events (pointer.h), in CSS pixels, not from GLFW.
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 scale(static_cast<float>(width) / css_width, static_cast<float>(height) / css_height);
  io.DisplaySize = ImVec2(css_width, css_height);
  io.DisplayFramebufferScale = scale;
  pointer::AfterBackendNewFrame();
  float wheel_x = 0, wheel_y = 0;
  page::TakeWheel(&wheel_x, &wheel_y);
  io.MouseWheel += wheel_y;
  io.MouseWheelH += wheel_x;

  keyboard::BeforeNewFrame();
  semantics::BeforeNewFrame();
  focus::BeforeNewFrame();
  ImGui::NewFrame();
  test_hook::BeginFrame();
  DrawApp(state);
  semantics::EndFrame();
  if (glyphs::HasAdded()) redraw::Animate();  // the next frame builds the atlas with them
  FollowDimming();
  test_hook::Status(names::kStatusPending, static_cast<long long>(PendingRequests(state)));
  test_hook::Status(names::kStatusInput, InputWaiting() ? 1LL : 0LL);
  test_hook::Status(names::kStatusTheme, theme::Name(state.theme));
  ImGui::Render();

  if (ImGui::GetMouseCursor() != app.cursor) {
    app.cursor = ImGui::GetMouseCursor();
    page::SetCursor(CssCursor(app.cursor));
  }
  const ImVec4 bg = theme::Current().background;
  glViewport(0, 0, width, height);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

  test_hook::EndFrame();
  PublishRoute(app, /*new_entry=*/true);
  FollowTitle(app);
}

}  // namespace
}  // namespace console

int main(int argc, char** argv) {
  using namespace console;
  static App app;
  app.state.config = ParseArguments(argc, argv);
  test_hook::SetEnabled(app.state.config.test_hook);
  app.state.theme_choice = theme::ParseChoice(page::LoadSetting("oat.theme"));
  app.saved_theme = app.state.theme_choice;
  app.state.wanted_route = ParseRoute(page::Hash());

  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // Dear ImGui draws with neither; shell/loader.js checks for WebGL 2 with these attributes on
  // this canvas, and the window gets that same context.
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  const auto [width, height] = DrawingBufferSize(page::ReadViewport());
  app.window = glfwCreateWindow(width, height, "OAT Console", nullptr, nullptr);
  if (!app.window) return 1;
  app.canvas_width = width;
  app.canvas_height = height;
  glfwMakeContextCurrent(app.window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini in a browser
  io.LogFilename = nullptr;
  io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;  // the page sets CSS cursors instead
  // The glyphs before the first WebGL call that waits for an answer (the renderer's set-up
  // below): the browser readies the context meanwhile, instead of after.
  theme::LoadFonts(page::ReadViewport().pixel_ratio);
  ImGui_ImplGlfw_InitForOpenGL(app.window, true);
  // This emscripten's GLFW reports wheel deltas unscaled and upside down; page.cpp reads the
  // wheel itself.
  glfwSetScrollCallback(app.window, nullptr);
  keyboard::Install(app.window);
  pointer::Install();
  semantics::Install();
  ImGui_ImplOpenGL3_Init("#version 300 es");
  page::KeepGlState();
  io.SetClipboardTextFn = [](void*, const char* text) { page::CopyToClipboard(text); };
  io.GetClipboardTextFn = [](void*) { return page::PastedText(); };
  page::Install();
  ResumeSession(app.state);  // a reload or a new tab carries on the session, when there is one

  emscripten_set_main_loop_arg(Frame, &app, 0, true);
  return 0;
}
