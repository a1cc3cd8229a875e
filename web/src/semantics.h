// The semantic layer: the page's own elements for what the canvas shows.
//
// To the browser the console is one canvas. Here, each frame, the console's widgets also say
// what they are (a role, an accessible name, a value, a state) and where (the item Dear ImGui
// just laid out); a small script keeps a matching tree of real elements (buttons, links, text
// fields, checkboxes, tabs, menu items, text, dialogs with aria-modal, a live region) over the
// canvas, invisible but present, changed by difference rather than rebuilt. So a screen reader
// reads the page, find-in-page finds a token's label, text can be selected and copied, a link
// opens in a new tab.
//
// Both ways:
//   - activating an element (a screen reader's click, element.click(), Enter or Space on it)
//     presses the widget, as Space on Dear ImGui's focused control would (focus.h). A mouse or
//     finger on an element reaches Dear ImGui through pointer.h, as on the canvas: a real click
//     is not also taken as an activation;
//   - the page's focus moving to an element gives the widget the keyboard; the keyboard focus
//     moving in the console (Tab, a click) moves the page's focus to its element.
//
// Modelled on Flutter's web engine (a DOM tree of roles beside its canvas), with Dear ImGui's
// item ids as the keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "imgui.h"

namespace console::semantics {

enum class Role {
  Button,
  Link,       // value: the href ("#/orgs/acme/activity")
  TextField,  // value: the text
  Password,   // value: never sent (the element says only whether it is empty)
  Checkbox,
  Tab,
  MenuItem,
  Text,
  Heading,
  Alert,      // an error shown in place (read out when it appears)
  ColumnHeader,  // a table's column name, in the table's first Row
};

enum Flags : unsigned {
  kDisabled = 1u << 0,
  kChecked = 1u << 1,  // a checkbox's; a menu item that is the current choice (aria-current)
  kSelected = 1u << 2,
  kExpanded = 1u << 3,
  kMultiline = 1u << 4,
  kSubmit = 1u << 5,  // a button that submits its form
  kSortedAscending = 1u << 6,   // a column header: the rows are in its order (aria-sort)
  kSortedDescending = 1u << 7,
  kSortable = 1u << 8,  // a column header that sorts when activated: it takes the focus
};

// Right after a widget: describes Dear ImGui's last item (its id and rectangle). An item with no
// id (text) is keyed by its window, its role and words, and how many such came before it. An
// item scrolled out of its window is described all the same, where it would be, and the pointer
// passes through its element: a screen reader reads all a dialog holds, and the page's focus on
// it scrolls it into view (focus::BringIntoView). The text described is also what the font atlas
// is to hold (glyphs::Notice).
void Item(Role role, std::string_view name, std::string_view value = {}, unsigned flags = 0);

// Inside a modal dialog's window: the dialog is named `title`, and the items of its window tree
// belong to it (role=dialog, aria-modal).
void Dialog(std::string_view title);

// Containers: the items between BeginGroup and EndGroup are in it (groups nest).
//   Form        a <form> (the sign-in: password managers look for one); its submission is the
//               console's: a button with Submits() submits it, the page's own does nothing
//   Navigation  a <nav> landmark (the views' links)
//   TabList     role=tablist around Role::Tab items
//   Menu        role=menu around Role::MenuItem items
//   Table       role=table; its rows are Row groups, each item of a row in a cell of its own.
//               Rows in a scrolled window stand in the table's element as with no scroll, and
//               the element moves by the scroll: a scroll step moves one element, not each row
//   Row         role=row
//   List        role=list around ListItem groups (the tokens as cards, on a phone); scrolled
//               as a Table is
//   ListItem    role=listitem
// `key` tells apart groups of the same name in one window (a row: its token's id).
enum class Group { Form, Navigation, TabList, Menu, Table, Row, List, ListItem };
void BeginGroup(Group group, std::string_view name, std::string_view key = {});
void EndGroup();

// The rows of a long list, as a page's own table has them: every row is on the page, drawn or
// scrolled out, so a scroll makes no element, a screen reader reads the whole list and
// find-in-page finds any row.
//  - a drawn row: BeginRow (its place on the screen; `version`, a hash of what its items say) ...
//    its items ... EndGroup();
//  - a row not drawn this frame: KeepRow, where it would be. Its element and its items' stay as
//    they were last drawn, and the pointer passes through them;
//  - RowWanted: the row is to be drawn in this frame, though scrolled out: the page has not got
//    its items as of `version` (a row never drawn, or drawn with other data: a list draws one
//    such row a frame, ImGuiListClipper::ForceDisplayRangeByIndices, until the page has them
//    all; the page makes a few of its elements a frame), or the page's focus went to one of its
//    items (the list scrolls it into view).
// `group` is Row or ListItem; `key` as for BeginGroup.
void BeginRow(Group group, std::string_view name, std::string_view key, ImVec2 pos, ImVec2 size, ImGuiID version);
void KeepRow(Group group, std::string_view name, std::string_view key, ImVec2 pos, ImVec2 size);
enum class Want { Nothing, Items, View };
Want RowWanted(Group group, std::string_view key, ImGuiID version);
// The last item's autocomplete token ("username", "current-password"): what a password
// manager fills.
void Autocomplete(std::string_view token);
// The last item (a button) submits the form it is in.
void Submits();

// The words drawn above a field ("Label", "Expiration"): the next text field, or the next tab
// list, is named by them (a field's hint becomes its placeholder). Any other control drawn
// first drops them.
void LabelNext(std::string_view words);

// While one is alive, items are not described (words the page has already: a row's label,
// which its link says).
class Quiet {
 public:
  Quiet();
  ~Quiet();
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;
};

// Said by the live region (role=status): a toast, an error that is not under a field.
void Announce(std::string_view message);

// Once, after GLFW's window exists: the tree's root over the canvas, and the keyboard routed
// past GLFW while a text element has the page's focus.
void Install();

// Text fields (ui::InputText): while a field's element has the page's focus, the element edits
// and the field follows it. What was typed there since the last frame (the whole text), if
// anything; whether Enter was pressed in it; which field it is (0: none).
std::optional<std::string> TakeTyped(ImGuiID field);
bool TakeEnter(ImGuiID field);
ImGuiID Editing();
// The keyboard moved on in the console (Tab): the field's element no longer edits it.
void StopEditing();

// Right before ImGui::NewFrame(): takes the page's activations and focus changes.
void BeforeNewFrame();
// After the views drew (before ImGui::Render()): sends what changed to the page.
void EndFrame();

}  // namespace console::semantics
