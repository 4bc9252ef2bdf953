#include "cabind/profile/directory.hpp"

#include <set>

namespace cabind::profile {

namespace {

std::string describe(const Identifier& identifier) {
  std::string text(to_string(identifier.kind));
  text += ' ';
  text +=
      is_numeric(identifier.kind) ? std::to_string(identifier.code) : "'" + identifier.token + "'";
  return text;
}

std::string where_text(const diag::Location& where, const Profile& profile) {
  diag::Location shown = where;
  if (shown.file.empty()) shown.file = profile.source.file;
  std::string text = shown.file.empty() ? std::string("<code>") : shown.file;
  if (shown.line > 0) text += ':' + std::to_string(shown.line);
  if (shown.column > 0) text += ':' + std::to_string(shown.column);
  return text;
}

}  // namespace

std::optional<ProfileDirectory> ProfileDirectory::build(std::vector<Profile> profiles,
                                                        diag::Diagnostics& diagnostics,
                                                        const diag::Location& set_location) {
  const std::size_t errors_before = diagnostics.error_count();
  ProfileDirectory directory;
  std::map<std::string, std::size_t, std::less<>> by_id;
  std::map<Key, const Identifier*, KeyLess> claims;

  for (std::size_t index = 0; index < profiles.size(); ++index) {
    const Profile& profile = profiles[index];
    const auto [id_slot, id_is_new] = by_id.emplace(profile.id, index);
    if (!id_is_new) {
      diagnostics.error(profile.source, "profile id '" + profile.id + "' is also used by " +
                                            where_text(profiles[id_slot->second].source,
                                                       profiles[id_slot->second]));
    }
    if (profile.guest) {
      if (directory.guest_) {
        diagnostics.error(
            profile.source,
            "more than one guest profile: '" + profiles[*directory.guest_].id + "' (" +
                where_text(profiles[*directory.guest_].source, profiles[*directory.guest_]) +
                ") and '" + profile.id + "'");
      } else {
        directory.guest_ = index;
      }
      if (!profile.identifiers.empty()) {
        diagnostics.error(profile.identifiers.front().where,
                          "the guest profile '" + profile.id +
                              "' must not have identifiers (it is used for unknown drivers)");
      }
    }
    for (const Identifier& identifier : profile.identifiers) {
      Key key{identifier.kind, is_numeric(identifier.kind) ? identifier.code : 0,
              is_numeric(identifier.kind) ? std::string() : identifier.token};
      const auto [claim, is_new] = claims.emplace(key, &identifier);
      if (is_new) {
        directory.by_identifier_.emplace(std::move(key), index);
        continue;
      }
      const Profile& owner = profiles[directory.by_identifier_.at(claim->first)];
      if (&owner == &profile) {
        diagnostics.error(identifier.where, describe(identifier) + " is listed twice");
      } else {
        diagnostics.error(identifier.where,
                          describe(identifier) + " is claimed by profile '" + profile.id + "' (" +
                              where_text(identifier.where, profile) + ") and by profile '" +
                              owner.id + "' (" + where_text(claim->second->where, owner) + ")");
      }
    }
  }
  if (!directory.guest_) {
    diagnostics.error(set_location, "no guest profile: exactly one profile must say 'guest: true'");
  }
  if (diagnostics.error_count() != errors_before) return std::nullopt;
  directory.profiles_ = std::move(profiles);
  return directory;
}

const Profile* ProfileDirectory::find(IdentifierKind kind, std::uint64_t code) const noexcept {
  if (!is_numeric(kind)) return nullptr;
  const auto found = by_identifier_.find(KeyView{kind, code, {}});
  return found == by_identifier_.end() ? nullptr : &profiles_[found->second];
}

const Profile* ProfileDirectory::find(IdentifierKind kind, std::string_view token) const noexcept {
  if (is_numeric(kind)) return nullptr;
  const auto found = by_identifier_.find(KeyView{kind, 0, token});
  return found == by_identifier_.end() ? nullptr : &profiles_[found->second];
}

const Profile* ProfileDirectory::find_by_id(std::string_view id) const noexcept {
  for (const auto& profile : profiles_) {
    if (profile.id == id) return &profile;
  }
  return nullptr;
}

const Profile* ProfileDirectory::guest() const noexcept {
  return guest_ ? &profiles_[*guest_] : nullptr;
}

}  // namespace cabind::profile
