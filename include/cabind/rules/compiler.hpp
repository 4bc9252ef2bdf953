#pragma once
// Compiles and type-checks one rule expression at load time.
//
//   compile_expression("Vehicle.Speed == 0 and Gear == 'P'", {"rules.yaml", 12, 17},
//                      names, ValueType::boolean, diagnostics)
//
// `where` is the location of the first character of `text` inside its file (as the YAML
// loader reports it for the scalar); each error is reported at that location plus the
// offset of the offending token: on the first line the column is where.column + offset,
// on later lines of a multi-line (block) scalar it is counted from the line start.
// Columns count bytes. For a quoted YAML scalar with escape sequences the columns after
// an escape are shifted by the escape's length.
//
// All errors of one expression are reported where practical: unknown names, type errors
// and arity errors are all collected; after a syntax error the rest is not checked.

#include <optional>
#include <string_view>

#include "cabind/diag/diagnostic.hpp"
#include "cabind/rules/compiled_expression.hpp"
#include "cabind/rules/symbol.hpp"

namespace cabind::rules {

// Returns the compiled expression, or nullopt after adding at least one error to
// `diagnostics`. `expected` is the type the caller needs: boolean for conditions and
// interlocks, number for output values.
[[nodiscard]] std::optional<CompiledExpression> compile_expression(std::string_view text,
                                                                   const diag::Location& where,
                                                                   const SymbolResolver& names,
                                                                   ValueType expected,
                                                                   diag::Diagnostics& diagnostics);

}  // namespace cabind::rules
