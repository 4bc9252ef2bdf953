#pragma once
// All profiles of a vehicle and the lookup identifier -> profile.
// Built once at load time and immutable afterwards; pointers it returns stay valid for
// the directory's lifetime (moving the directory keeps them valid too, profiles are
// held in a vector that is never resized after build). Safe to read from several
// threads at once.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "cabind/diag/diagnostic.hpp"
#include "cabind/profile/profile.hpp"

namespace cabind::profile {

class ProfileDirectory {
 public:
  ProfileDirectory() = default;

  // Checks the set as a whole: ids unique, exactly one guest, the guest has no
  // identifiers, no identifier claimed by two profiles (the error names both files).
  // Returns nullopt and reports every problem to `diagnostics` when the set is invalid.
  // `set_location` (e.g. where the profiles directory is configured) locates errors about
  // the set as a whole, such as a missing guest.
  [[nodiscard]] static std::optional<ProfileDirectory> build(
      std::vector<Profile> profiles, diag::Diagnostics& diagnostics,
      const diag::Location& set_location = {});

  // The profile a numeric identifier (key_fob, seat_memory_button) selects, or nullptr.
  [[nodiscard]] const Profile* find(IdentifierKind kind, std::uint64_t code) const noexcept;
  // The profile a token identifier (phone, face_id) selects, or nullptr.
  [[nodiscard]] const Profile* find(IdentifierKind kind, std::string_view token) const noexcept;
  [[nodiscard]] const Profile* find_by_id(std::string_view id) const noexcept;
  // The guest profile; nullptr only for a default-constructed (empty) directory.
  [[nodiscard]] const Profile* guest() const noexcept;

  [[nodiscard]] const std::vector<Profile>& profiles() const noexcept { return profiles_; }
  [[nodiscard]] std::size_t size() const noexcept { return profiles_.size(); }

 private:
  struct Key {
    IdentifierKind kind;
    std::uint64_t code;  // numeric kinds; 0 for token kinds
    std::string token;   // token kinds; empty for numeric kinds
  };
  struct KeyView {
    IdentifierKind kind;
    std::uint64_t code;
    std::string_view token;
  };
  // Transparent so that a lookup by token does not allocate.
  struct KeyLess {
    using is_transparent = void;
    static KeyView view(const Key& key) noexcept { return {key.kind, key.code, key.token}; }
    static KeyView view(const KeyView& key) noexcept { return key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const noexcept {
      const KeyView x = view(a);
      const KeyView y = view(b);
      return std::tie(x.kind, x.code, x.token) < std::tie(y.kind, y.code, y.token);
    }
  };

  std::vector<Profile> profiles_;
  std::map<Key, std::size_t, KeyLess> by_identifier_;  // index into profiles_
  std::optional<std::size_t> guest_;
};

}  // namespace cabind::profile
