// Every name the test hook (test_hook.h) publishes: the widgets in window.__oat_widgets, the
// keys (and some values) of window.__oat_status, and the flags a widget may carry. The browser
// tests (tests/browser/) look them up by these exact strings: a value changed here must change
// there too.
//
// A name ending in "." is a prefix: what follows is data (a row's display index, an
// organization, a repository, a scope-name, an audit action, a day of the month, the place or
// field of an error, a date). A name starting with "." is a suffix added to such a name.
#pragma once

namespace console::names {

// ---- Sign-in (views/sign_in.cpp) --------------------------------------------------------------
inline constexpr char kSignInUsername[] = "signin.username";
inline constexpr char kSignInPassword[] = "signin.password";
inline constexpr char kSignInSubmit[] = "signin.submit";
inline constexpr char kSignInError[] = "signin.error";    // text
inline constexpr char kSignInNotice[] = "signin.notice";  // text: "You have signed out.", ...

// ---- Top bar (views/top_bar.cpp) and the view tabs (views/nav.cpp) ----------------------------
inline constexpr char kTopBarOrg[] = "topbar.org";
inline constexpr char kTopBarOrgOptionPrefix[] = "topbar.org.option.";  // + <org>
inline constexpr char kTopBarTheme[] = "topbar.theme";  // also on the sign-in page
// A phone's top bar (theme::Narrow): who is signed in, the theme and sign out are in this menu
// (topbar.theme and topbar.signout then show while it is open).
inline constexpr char kTopBarAccount[] = "topbar.account";
inline constexpr char kTopBarSignOut[] = "topbar.signout";
inline constexpr char kNavTokens[] = "nav.tokens";
inline constexpr char kNavActivity[] = "nav.activity";
inline constexpr char kNavPolicy[] = "nav.policy";  // only for those who manage tokens
inline constexpr char kNavCiSignIn[] = "nav.ci_sign_in";  // the same

// ---- Tokens page (views/tokens_page.cpp) ------------------------------------------------------
inline constexpr char kTokensFilter[] = "tokens.filter";
// The status filter's segments, in StatusFilter's order (all, active, inactive, expired).
inline constexpr const char* kTokensStatus[4] = {"tokens.status.all", "tokens.status.active",
                                                 "tokens.status.inactive", "tokens.status.expired"};
inline constexpr char kTokensRefresh[] = "tokens.refresh";
inline constexpr char kTokensGenerate[] = "tokens.generate";                // disabled
inline constexpr char kTokensGenerateReason[] = "tokens.generate.reason";  // text: the core's refusal
inline constexpr char kTokensActionError[] = "tokens.action.error";        // text
// text: where a link led ("acme has no access token with the ID …"); also in __oat_status
inline constexpr char kTokensNotice[] = "tokens.notice";
inline constexpr char kTokensNoticeDismiss[] = "tokens.notice.dismiss";
// text: "3 tokens expire within 30 days" (only while some do); in __oat_status, the server's
// count (0 included) once it is known
inline constexpr char kTokensExpiring[] = "tokens.expiring";
inline constexpr char kTokensExpiringShow[] = "tokens.expiring.show";  // active tokens, soonest expiry first

// ---- Tokens table (views/tokens_table.cpp) ----------------------------------------------------
inline constexpr char kTokensRetry[] = "tokens.retry";
inline constexpr char kTokensClearFilters[] = "tokens.clear_filters";
// tokens.header.<column>, in the table's column order (also the headers' Dear ImGui ids).
inline constexpr char kTokensHeaderPrefix[] = "tokens.header.";
inline constexpr const char* kTokensHeaderColumns[7] = {"label",     "status",  "created_by", "created",
                                                        "last_used", "expires", "actions"};
// tokens.row.<i> (only while on screen; a click opens the details), and its parts.
inline constexpr char kTokensRowPrefix[] = "tokens.row.";  // + <i>
inline constexpr char kTokensRowLabelSuffix[] = ".label";           // text; also in __oat_status
inline constexpr char kTokensRowStatusSuffix[] = ".status";         // text
inline constexpr char kTokensRowLastUsedSuffix[] = ".last_used";    // text; also in __oat_status
inline constexpr char kTokensRowExpiresSuffix[] = ".expires";       // text
inline constexpr char kTokensRowMenuSuffix[] = ".menu";
inline constexpr char kTokensRowStateSuffix[] = ".state";           // __oat_status only
// __oat_status only: the token policy's sentence for a token it blocks (check_policy_at_use).
inline constexpr char kTokensRowBlockedSuffix[] = ".blocked";
// The row's "..." menu (only what oat::check_token_action allows in the token's state).
inline constexpr char kRowDetails[] = "row.details";
inline constexpr char kRowEdit[] = "row.edit";
inline constexpr char kRowDeactivate[] = "row.deactivate";
inline constexpr char kRowActivate[] = "row.activate";
inline constexpr char kRowRotate[] = "row.rotate";
inline constexpr char kRowDelete[] = "row.delete";

// ---- Token editor: the generate and edit dialogs (views/editor_*.cpp) -------------------------
inline constexpr char kGenerateClose[] = "generate.close";
inline constexpr char kGenerateLabel[] = "generate.label";              // text
inline constexpr char kGenerateDescription[] = "generate.description";  // text
// text "0/200"; also in __oat_status:
inline constexpr char kGenerateDescriptionCounter[] = "generate.description.counter";
// The expiration's segments, in this order: 30 days, 90 days, custom, never (selected).
inline constexpr const char* kGenerateExpiry[4] = {"generate.expiry.30", "generate.expiry.90",
                                                   "generate.expiry.custom", "generate.expiry.never"};
// The custom date and time (text; Tab between, Up/Down step).
inline constexpr char kGenerateExpiryYear[] = "generate.expiry.year";
inline constexpr char kGenerateExpiryMonth[] = "generate.expiry.month";
inline constexpr char kGenerateExpiryDay[] = "generate.expiry.day";
inline constexpr char kGenerateExpiryHour[] = "generate.expiry.hour";
inline constexpr char kGenerateExpiryMinute[] = "generate.expiry.minute";
inline constexpr char kGenerateCalendar[] = "generate.expiry.calendar";
inline constexpr char kGenerateCalendarPrev[] = "generate.expiry.calendar.prev";
inline constexpr char kGenerateCalendarNext[] = "generate.expiry.calendar.next";
inline constexpr char kGenerateCalendarDayPrefix[] = "generate.expiry.calendar.day.";  // + <1..31> (disabled)
inline constexpr char kGenerateExpirySummary[] = "generate.expiry.summary";  // text
inline constexpr char kGenerateExpiryFixed[] = "generate.expiry.fixed";      // text (edit)
// text: the organization's token policy (oat::describe_token_policy), when it has one.
inline constexpr char kGenerateExpiryPolicy[] = "generate.expiry.policy";
inline constexpr char kGenerateRepoCount[] = "generate.repo.count";          // text "2 of 50"
inline constexpr char kGeneratePublic[] = "generate.public";                 // checked
inline constexpr char kOptionHintSuffix[] = ".hint";  // text: an option's words beside (or under) its box
inline constexpr char kGenerateAll[] = "generate.all";                       // checked
// A scope's checkbox, after generate.all, generate.org or generate.repo.<i>: + <scope-name>
// (checked; disabled = included by another scope).
inline constexpr char kScopeInfix[] = ".scope.";
inline constexpr char kGenerateRepoAdd[] = "generate.repo.add";  // disabled
inline constexpr char kGenerateRepoSearch[] = "generate.repo.search";
inline constexpr char kGenerateRepoPickerItemPrefix[] = "generate.repo.picker.item.";  // + <repository>
inline constexpr char kGenerateRepoError[] = "generate.repo.error";  // text
inline constexpr char kGenerateRepoPrefix[] = "generate.repo.";      // + <i>: the row (valid)
inline constexpr char kGenerateRepoRemoveSuffix[] = ".remove";
inline constexpr char kGenerateOrg[] = "generate.org";  // open
// The resources editor's names after another prefix (a connection's ruleset: oidc.ruleset.<i>),
// the same words as the token editor's after "generate".
inline constexpr char kResourcesCountSuffix[] = ".repo.count";
inline constexpr char kResourcesPublicSuffix[] = ".public";
inline constexpr char kResourcesAllSuffix[] = ".all";
inline constexpr char kResourcesRepoSuffix[] = ".repo.";  // + <i>
inline constexpr char kResourcesRepoAddSuffix[] = ".repo.add";
inline constexpr char kResourcesRepoSearchSuffix[] = ".repo.search";
inline constexpr char kResourcesPickerItemSuffix[] = ".repo.picker.item.";  // + <repository>
inline constexpr char kResourcesRepoErrorSuffix[] = ".repo.error";
inline constexpr char kResourcesOrgSuffix[] = ".org";
inline constexpr char kResourcesRowsSuffix[] = ".repos";  // __oat_status
inline constexpr char kGenerateAddresses[] = "generate.addresses";          // text (multi-line)
inline constexpr char kGenerateSelfRotation[] = "generate.self_rotation";   // checked
// generate.error.<place> (label, description, expires_at, resources, public, all, repo.<i>,
// org), and the same message under the core's field name (generate.error.resources[2].scopes).
inline constexpr char kGenerateErrorPrefix[] = "generate.error.";
inline constexpr char kGenerateErrorServer[] = "generate.error.server";  // no field: the dialog's bottom
inline constexpr char kGeneratePending[] = "generate.pending";  // also in __oat_status
inline constexpr char kGenerateSubmit[] = "generate.submit";    // disabled
inline constexpr char kEditSubmit[] = "edit.submit";            // disabled
inline constexpr char kGenerateCancel[] = "generate.cancel";

// ---- The secret, shown once (views/created_dialog.cpp) ----------------------------------------
inline constexpr char kCreatedDismiss[] = "created.dismiss";
inline constexpr char kCreatedWarning[] = "created.warning";
inline constexpr char kCreatedToken[] = "created.token";  // never its text
inline constexpr char kCreatedCopy[] = "created.copy";    // text "Copy" / "Copied"
inline constexpr char kCreatedLogin[] = "created.login";
inline constexpr char kCreatedCopyLogin[] = "created.copy_login";
inline constexpr char kCreatedClose[] = "created.close";
// text, after a rotation: until when the old secret keeps working, or that it stopped.
inline constexpr char kCreatedPrevious[] = "created.previous";

// ---- Rotation (views/rotate_dialog.cpp) -------------------------------------------------------
inline constexpr char kRotateClose[] = "rotate.close";
// The grace period's segments, in this order: none, 1 hour, 1 day, 7 days (selected).
inline constexpr const char* kRotateGrace[4] = {"rotate.grace.none", "rotate.grace.1h", "rotate.grace.1d",
                                                "rotate.grace.7d"};
inline constexpr char kRotateGraceSummary[] = "rotate.grace.summary";  // text
inline constexpr char kRotateExpiryCurrent[] = "rotate.expiry.current"; // text
inline constexpr char kRotateNewExpiry[] = "rotate.expiry.change";     // checked
// The new expiration, as in the generate dialog (ExpiryNames below).
inline constexpr const char* kRotateExpiry[4] = {"rotate.expiry.30", "rotate.expiry.90", "rotate.expiry.custom",
                                                 "rotate.expiry.never"};
inline constexpr char kRotateErrorPrefix[] = "rotate.error.";  // + grace_period_seconds, expires_at, server
inline constexpr char kRotatePending[] = "rotate.pending";
inline constexpr char kRotateSubmit[] = "rotate.submit";  // disabled
inline constexpr char kRotateCancel[] = "rotate.cancel";

// ---- Delete, confirmed (views/delete_dialog.cpp) ----------------------------------------------
inline constexpr char kConfirmClose[] = "confirm.close";
inline constexpr char kConfirmName[] = "confirm.name";    // text
inline constexpr char kConfirmError[] = "confirm.error";  // text
inline constexpr char kConfirmDelete[] = "confirm.delete";
inline constexpr char kConfirmCancel[] = "confirm.cancel";

// ---- Details drawer (views/details_drawer.cpp) ------------------------------------------------
inline constexpr char kDetailsClose[] = "details.close";
// text:
inline constexpr char kDetailsStatus[] = "details.status";
inline constexpr char kDetailsCreated[] = "details.created";
inline constexpr char kDetailsExpires[] = "details.expires";
inline constexpr char kDetailsId[] = "details.id";
inline constexpr char kDetailsLastUsed[] = "details.last_used";
inline constexpr char kDetailsLastUsedExact[] = "details.last_used_exact";
inline constexpr char kDetailsAddresses[] = "details.addresses";
inline constexpr char kDetailsPulls[] = "details.pulls";
inline constexpr char kDetailsPushes[] = "details.pushes";
// The token's use per day (chart.h): text (what it says), "state" (loading, error, empty,
// loaded), "hover" (the hovered day's words); each day's column is details.usage.day.<date>.
inline constexpr char kDetailsUsage[] = "details.usage";
inline constexpr char kDetailsRotated[] = "details.rotated";
inline constexpr char kDetailsPreviousExpires[] = "details.previous_expires";     // while it works
inline constexpr char kDetailsPreviousLastUsed[] = "details.previous_last_used";
inline constexpr char kDetailsAllowedCidrs[] = "details.allowed_cidrs";  // "Any address", or the blocks
inline constexpr char kDetailsSelfRotation[] = "details.self_rotation";  // "Allowed" / "Not allowed"
inline constexpr char kDetailsPolicy[] = "details.policy";  // the policy's sentence, when it blocks
inline constexpr char kDetailsError[] = "details.error";
inline constexpr char kDetailsActionError[] = "details.action.error";
// buttons:
inline constexpr char kDetailsEdit[] = "details.edit";
inline constexpr char kDetailsDeactivate[] = "details.deactivate";
inline constexpr char kDetailsActivate[] = "details.activate";
inline constexpr char kDetailsDelete[] = "details.delete";
inline constexpr char kDetailsRotate[] = "details.rotate";

// ---- Token policy page (views/policy_page.cpp) ------------------------------------------------
inline constexpr char kPolicyRefresh[] = "policy.refresh";
inline constexpr char kPolicySummary[] = "policy.summary";  // text: the stored policy's sentence
inline constexpr char kPolicyLifetime[] = "policy.lifetime";            // checked
inline constexpr char kPolicyLifetimeDays[] = "policy.lifetime_days";   // text
inline constexpr char kPolicyRequire[] = "policy.require_expiration";   // checked
inline constexpr char kPolicyIdle[] = "policy.idle";                    // checked
inline constexpr char kPolicyIdleDays[] = "policy.idle_days";           // text
inline constexpr char kPolicyPreview[] = "policy.preview";  // text: the form's policy, in words
inline constexpr char kPolicyErrorPrefix[] = "policy.error.";  // + max_lifetime_days, max_idle_days, server
inline constexpr char kPolicySave[] = "policy.save";    // disabled
inline constexpr char kPolicyReset[] = "policy.reset";  // disabled

// ---- CI sign-in page: OIDC connections (views/oidc_page.cpp, oidc_panel.cpp) -------------------
inline constexpr char kOidcRefresh[] = "oidc.refresh";
inline constexpr char kOidcNew[] = "oidc.new";  // disabled
inline constexpr char kOidcListError[] = "oidc.list.error";      // text
inline constexpr char kOidcActionError[] = "oidc.action.error";  // text: a row action refused
inline constexpr char kOidcRetry[] = "oidc.retry";
// oidc.row.<i> (a click selects the connection; selected), and its parts; the same words in
// __oat_status under oidc.row.<i>.name, .state ("Active", "Inactive"), .rulesets, .last_exchange.
inline constexpr char kOidcRowPrefix[] = "oidc.row.";  // + <i>
inline constexpr char kOidcRowNameSuffix[] = ".name";                  // text
inline constexpr char kOidcRowIssuerSuffix[] = ".issuer";              // text
inline constexpr char kOidcRowStatusSuffix[] = ".status";              // text
inline constexpr char kOidcRowStateSuffix[] = ".state";                // __oat_status only
inline constexpr char kOidcRowRulesetsSuffix[] = ".rulesets";          // text
inline constexpr char kOidcRowLastExchangeSuffix[] = ".last_exchange"; // text
inline constexpr char kOidcRowMenuSuffix[] = ".menu";
// A row's "..." menu.
inline constexpr char kOidcMenuEdit[] = "oidc.menu.edit";
inline constexpr char kOidcMenuDeactivate[] = "oidc.menu.deactivate";
inline constexpr char kOidcMenuActivate[] = "oidc.menu.activate";
inline constexpr char kOidcMenuDelete[] = "oidc.menu.delete";
// The selected connection's panel: its name, id, audience, buttons, and tabs.
inline constexpr char kOidcPanel[] = "oidc.panel";
inline constexpr char kOidcPanelBody[] = "oidc.panel.body";  // the tab's content (it scrolls)
inline constexpr char kOidcPanelName[] = "oidc.panel.name";          // text
inline constexpr char kOidcPanelId[] = "oidc.panel.id";              // text
inline constexpr char kOidcPanelIssuer[] = "oidc.panel.issuer";      // text
inline constexpr char kOidcPanelAudience[] = "oidc.panel.audience";  // text
inline constexpr char kOidcPanelEdit[] = "oidc.panel.edit";
inline constexpr char kOidcPanelDeactivate[] = "oidc.panel.deactivate";
inline constexpr char kOidcPanelActivate[] = "oidc.panel.activate";
inline constexpr char kOidcPanelDelete[] = "oidc.panel.delete";
// The tabs (selected), in ConnectionTab's order.
inline constexpr const char* kOidcTabs[3] = {"oidc.tab.rulesets", "oidc.tab.failures", "oidc.tab.setup"};
// Rulesets tab: oidc.rules.<i> (text: its name), + .condition.<j> (text "claim = pattern", the
// preset's claims first), + .resource.<k> (text "path: scope, scope"), + .max_lifetime (text).
inline constexpr char kOidcRulesPrefix[] = "oidc.rules.";
inline constexpr char kOidcRulesResourceSuffix[] = ".resource.";  // + <k>
// Failures tab: oidc.failure.<i> (newest first), + .reason (text), + .mismatch.<j> (text
// "ruleset: claim expected X, got Y"), + .claims (open: the claims presented shown), + .claims.text.
inline constexpr char kOidcFailuresRefresh[] = "oidc.failures.refresh";
inline constexpr char kOidcFailuresEmpty[] = "oidc.failures.empty";  // text
inline constexpr char kOidcFailuresError[] = "oidc.failures.error";  // text
inline constexpr char kOidcFailurePrefix[] = "oidc.failure.";        // + <i>
inline constexpr char kOidcFailureReasonSuffix[] = ".reason";
inline constexpr char kOidcFailureMismatchSuffix[] = ".mismatch.";  // + <j>
inline constexpr char kOidcFailureClaimsSuffix[] = ".claims";
inline constexpr char kOidcFailureClaimsTextSuffix[] = ".claims.text";
// Set up CI tab: the snippet's kind (selected), its text, Copy (text "Copy" / "Copied").
inline constexpr const char* kOidcSnippetKinds[2] = {"oidc.snippet.github", "oidc.snippet.gitlab"};
inline constexpr char kOidcSnippet[] = "oidc.snippet";  // text: the whole snippet, or why there is none
inline constexpr char kOidcSnippetCopy[] = "oidc.snippet.copy";

// ---- The connection editor (views/oidc_editor.cpp) --------------------------------------------
inline constexpr char kOidcEditorClose[] = "oidc.editor.close";
inline constexpr char kOidcEditorBody[] = "oidc.editor.body";  // the part that scrolls
// The presets' segments (selected): GitHub Actions, GitLab CI, another issuer.
inline constexpr const char* kOidcPresets[3] = {"oidc.preset.github", "oidc.preset.gitlab", "oidc.preset.other"};
inline constexpr char kOidcName[] = "oidc.name";          // text
inline constexpr char kOidcIssuer[] = "oidc.issuer";      // text
inline constexpr char kOidcAudience[] = "oidc.audience";  // text
inline constexpr char kOidcRulesetCount[] = "oidc.rulesets.count";  // text "1 of 5"
inline constexpr char kOidcRulesetAdd[] = "oidc.ruleset.add";       // disabled
// oidc.ruleset.<i> (the section), and its parts; its resources editor's widgets follow the
// token editor's after this prefix (oidc.ruleset.<i>.public, .repo.add, .repo.picker.item.<r>, ...).
inline constexpr char kOidcRulesetPrefix[] = "oidc.ruleset.";  // + <i>
inline constexpr char kOidcRulesetNameSuffix[] = ".name";      // text
inline constexpr char kOidcRulesetRemoveSuffix[] = ".remove";
inline constexpr char kOidcConditionSuffix[] = ".condition.";   // + <j>, then:
inline constexpr char kOidcConditionClaimSuffix[] = ".claim";      // text
inline constexpr char kOidcConditionPatternSuffix[] = ".pattern";  // text
inline constexpr char kOidcConditionRemoveSuffix[] = ".remove";
inline constexpr char kOidcConditionHintSuffix[] = ".hint";  // text: the preset's words on the owner's id
inline constexpr char kOidcConditionAddSuffix[] = ".condition.add";  // then + .<claim>, or .other
inline constexpr char kOidcConditionOther[] = "other";
inline constexpr char kOidcLifetimeSuffix[] = ".max_lifetime";  // text
// oidc.error.<place> (oidc_draft.h's ConnectionPlace: name, issuer, rulesets[0].condition.1,
// rulesets[0].res.repo.0, ...), and the same message under the core's field name
// (oidc.error.rulesets[0].conditions.repository_owner_id).
inline constexpr char kOidcErrorPrefix[] = "oidc.error.";
inline constexpr char kOidcErrorServer[] = "oidc.error.server";  // no field: the dialog's bottom
inline constexpr char kOidcPending[] = "oidc.pending";  // also in __oat_status
inline constexpr char kOidcSubmit[] = "oidc.submit";    // disabled
inline constexpr char kOidcCancel[] = "oidc.cancel";

// ---- Deleting a connection (views/oidc_delete_dialog.cpp) -------------------------------------
inline constexpr char kOidcConfirmClose[] = "oidc.confirm.close";
inline constexpr char kOidcConfirmName[] = "oidc.confirm.name";    // text
inline constexpr char kOidcConfirmError[] = "oidc.confirm.error";  // text
inline constexpr char kOidcConfirmDelete[] = "oidc.confirm.delete";
inline constexpr char kOidcConfirmCancel[] = "oidc.confirm.cancel";

// ---- Activity page (views/activity_page.cpp) --------------------------------------------------
inline constexpr char kActivityRefresh[] = "activity.refresh";
// The organization's use per day, as details.usage; each day's column is activity.usage.day.<date>.
inline constexpr char kActivityUsage[] = "activity.usage";
inline constexpr char kUsageDayInfix[] = ".day.";  // a chart's day: + <YYYY-MM-DD>
inline constexpr char kActivityFilter[] = "activity.filter";  // text; in __oat_status, the action filtered on
inline constexpr char kActivityFilterAll[] = "activity.filter.all";
inline constexpr char kActivityFilterPrefix[] = "activity.filter.";  // + <action> (access_token.create, ...)
inline constexpr char kActivityRowPrefix[] = "activity.row.";        // + <i> (only while on screen)
inline constexpr char kActivityRowActionSuffix[] = ".action";        // __oat_status only
inline constexpr char kActivityCount[] = "activity.count";           // text
inline constexpr char kActivityMore[] = "activity.more";
inline constexpr char kActivityAll[] = "activity.all";
inline constexpr char kActivityRetry[] = "activity.retry";
inline constexpr char kActivityError[] = "activity.error";  // text

// ---- Toast (views/toast.cpp) ------------------------------------------------------------------
inline constexpr char kToast[] = "toast";  // also in __oat_status: its text

// ---- __oat_status keys, beyond those above ----------------------------------------------------
inline constexpr char kStatusScreen[] = "screen";
inline constexpr char kScreenSignIn[] = "signin";
inline constexpr char kScreenResuming[] = "resuming";  // the session cookie is being tried
inline constexpr char kScreenTokens[] = "tokens";
inline constexpr char kScreenActivity[] = "activity";
inline constexpr char kScreenPolicy[] = "policy";
inline constexpr char kScreenCiSignIn[] = "ci-sign-in";
inline constexpr char kScreenNoOrganization[] = "no-organization";
inline constexpr char kStatusDialog[] = "dialog";  // which modal is open (views/dialogs.cpp)
inline constexpr char kDialogNone[] = "";
inline constexpr char kDialogGenerate[] = "generate";
inline constexpr char kDialogEdit[] = "edit";
inline constexpr char kDialogCreated[] = "created";
inline constexpr char kDialogConfirmDelete[] = "confirm-delete";
inline constexpr char kDialogDetails[] = "details";
inline constexpr char kDialogRotate[] = "rotate";
inline constexpr char kDialogConnection[] = "connection";  // new or edit
inline constexpr char kDialogConfirmDeleteConnection[] = "confirm-delete-connection";
inline constexpr char kStatusPending[] = "pending";  // requests in flight
inline constexpr char kStatusInput[] = "input";  // 1 while pointer or key events wait for a frame
inline constexpr char kStatusOrg[] = "org";
inline constexpr char kStatusUser[] = "user";  // who is signed in, as the top bar shows
inline constexpr char kStatusTheme[] = "theme";  // "light" or "dark": the theme drawn
inline constexpr char kStatusLoading[] = "loading";
inline constexpr char kStatusTokens[] = "tokens";  // tokens listed
inline constexpr char kStatusRows[] = "rows";      // rows the table's filters let through
inline constexpr char kStatusMenu[] = "menu";      // the open row menu's token state
inline constexpr char kStatusGenerateEnabled[] = "generate.enabled";
inline constexpr char kStatusGenerateRefusal[] = "generate.refusal";
inline constexpr char kStatusGenerateValid[] = "generate.valid";
inline constexpr char kStatusGenerateRepos[] = "generate.repos";
inline constexpr char kStatusCreatedCopied[] = "created.copied";
inline constexpr char kStatusDetailsLoading[] = "details.loading";
inline constexpr char kStatusDetailsResources[] = "details.resources";
inline constexpr char kStatusActivityRows[] = "activity.rows";    // loaded
inline constexpr char kStatusActivityTotal[] = "activity.total";  // the server's count
inline constexpr char kStatusPolicy[] = "policy";  // the selected organization's, in words ("" unknown)
inline constexpr char kStatusPolicyPending[] = "policy.pending";
inline constexpr char kStatusRotateValid[] = "rotate.valid";
inline constexpr char kStatusOidcConnections[] = "oidc.connections";  // listed
inline constexpr char kStatusOidcSelected[] = "oidc.selected";        // the selected connection's id
inline constexpr char kStatusOidcTab[] = "oidc.tab";                  // rulesets, failures, setup
inline constexpr char kStatusOidcFailures[] = "oidc.failures";        // listed (the selected's)
inline constexpr char kStatusOidcFailuresLoading[] = "oidc.failures.loading";
inline constexpr char kStatusOidcValid[] = "oidc.valid";              // the editor's draft
inline constexpr char kStatusOidcEditing[] = "oidc.editing";          // the edited connection's id ("" new)
inline constexpr char kStatusOidcActionPending[] = "oidc.action.pending";

// ---- The expiration control's names, in the generate dialog and the rotate dialog -------------
struct ExpiryNames {
  const char* const* presets;  // 30 days, 90 days, custom, never
  const char* year;
  const char* month;
  const char* day;
  const char* hour;
  const char* minute;
  const char* calendar;
  const char* calendar_prev;
  const char* calendar_next;
  const char* calendar_day_prefix;
  const char* summary;
  const char* policy;
};
inline constexpr ExpiryNames kGenerateExpiryNames{
    kGenerateExpiry,   kGenerateExpiryYear,   kGenerateExpiryMonth,       kGenerateExpiryDay,
    kGenerateExpiryHour, kGenerateExpiryMinute, kGenerateCalendar,        kGenerateCalendarPrev,
    kGenerateCalendarNext, kGenerateCalendarDayPrefix, kGenerateExpirySummary, kGenerateExpiryPolicy};
inline constexpr ExpiryNames kRotateExpiryNames{
    kRotateExpiry, "rotate.expiry.year", "rotate.expiry.month", "rotate.expiry.day", "rotate.expiry.hour",
    "rotate.expiry.minute", "rotate.expiry.calendar", "rotate.expiry.calendar.prev",
    "rotate.expiry.calendar.next", "rotate.expiry.calendar.day.", "rotate.expiry.summary",
    "rotate.expiry.policy"};

// ---- Flags a widget may carry (test_hook::Flag) -----------------------------------------------
inline constexpr char kFlagDisabled[] = "disabled";
inline constexpr char kFlagChecked[] = "checked";
inline constexpr char kFlagSelected[] = "selected";
inline constexpr char kFlagOpen[] = "open";
inline constexpr char kFlagValid[] = "valid";

}  // namespace console::names
