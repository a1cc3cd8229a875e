// The page around the canvas: everything the console asks of the browser beyond GLFW and
// WebGL (clipboard, URL hash, pixel ratio, cursor, wheel, settings, the system's preferences,
// the test hook). The JavaScript lives in page.cpp as EM_JS functions; shell/loader.js only
// starts the program.
#pragma once

#include <string>

namespace console::page {

// Listeners for paste, hashchange, the wheel and any input. Call once, before the first frame.
void Install();

// The WebGL context answers the drawing state Dear ImGui's renderer reads back in every frame
// (the scissor box and the blending, to put them back after drawing) from a copy the page keeps
// as the console sets them. WebGL answers those reads only by a round trip to the GPU process,
// and the first in a frame waits for the frames before it to be drawn. Call once, after the
// renderer is set up.
void KeepGlState();

// True once after any input event (mouse, keyboard, touch, wheel, paste, focus, resize, hash
// change): the next frame must be drawn.
bool TakeActivity();

// The canvas in CSS pixels, and how many device pixels make one CSS pixel.
struct Viewport {
  float width = 0;
  float height = 0;
  float pixel_ratio = 1;
};
Viewport ReadViewport();
// Sizes the canvas's drawing buffer (device pixels); its CSS size follows the window.
void SetCanvasPixelSize(int width, int height);

// Writes the system clipboard (navigator.clipboard, or a copy command where that is missing).
void CopyToClipboard(const char* text);
// The text of the last paste into the page (or the console's last copy): what Ctrl+V inserts.
const char* PastedText();
// Forgets the console's last copy when it was `text` (a secret leaving memory; the system
// clipboard keeps what the person copied).
void ForgetCopied(const char* text);

// "oat.example.com:8080": where the page came from.
std::string Host();
// "https://oat.example.com:8080": the page's scheme, host and port.
std::string Origin();

std::string Hash();
// Replaces the URL's hash without a new history entry (and without a hashchange event).
void ReplaceHash(const std::string& hash);
// Sets the URL's hash as a new history entry (pushState: no hashchange or popstate event), so
// Back returns to the one before. Nothing when the hash is already `hash`.
void PushHash(const std::string& hash);
// True once after the person changed the hash (typed, back, forward: hashchange or popstate).
bool TakeHashChange();

// What the console's tabs tell each other (a BroadcastChannel of this origin).
inline constexpr char kSignedIn[] = "signed-in";
inline constexpr char kSignedOut[] = "signed-out";
// Tells the console's other tabs that this one signed in or out (kSignedIn, kSignedOut).
void AnnounceSession(const char* event);
// The last word from another tab since the last call, or "".
std::string TakeSessionAnnouncement();

// Wheel movement since the last call, in Dear ImGui's units (+y scrolls up).
void TakeWheel(float* x, float* y);

// A CSS cursor name ("default", "pointer", "text", ...).
void SetCursor(const char* css_cursor);
void SetTitle(const std::string& title);

// What the person asked of every page, from the system's settings (media queries). A change
// counts as activity (TakeActivity), so the console follows it in the next frame.
struct Preferences {
  bool light = false;           // prefers-color-scheme: light (else dark, also where unknown)
  bool reduced_motion = false;  // prefers-reduced-motion: reduce
};
Preferences ReadPreferences();

// <html data-theme="light|dark">: the page's own CSS (shell/style.css, the splash) in the
// console's theme.
void SetPageTheme(const char* name);

// Non-secret preferences (the owner's theme) in localStorage.
std::string LoadSetting(const char* key);
void SaveSetting(const char* key, const std::string& value);

// Test hook: sets window.__oat_widgets (JSON, CSS pixels relative to the canvas; moved to
// page coordinates here), window.__oat_status (JSON) and window.__oat_frames.
void PublishTestHook(const std::string& widgets_json, const std::string& status_json, int frame);
// Test hook, for a frame that drew nothing: only window.__oat_frames.
void PublishFrameCount(int frame);

}  // namespace console::page
