#pragma once
// Compiles and type-checks one rule expression at load time.
//
//   compile_expression("Vehicle.Speed == 0 and Gear == 'P'", {"rules.yaml", 12, 17},
//                      names, ValueType::boolean, diagnostics)
//
// `where` is the location of the first character of `text` inside its file. yaml-cpp's
// node mark is that character for a plain scalar, the opening quote for a quoted scalar
// (add one column), and the '|' or '>' for a block scalar (the text starts on the next
// line, at the block's indentation). Each error is reported at `where` plus the offset of
// the offending token: on the first line the column is where.column + offset; on later
// lines it is counted from that line's start, which in a block scalar excludes the
// block's indentation. Columns count bytes; in a double-quoted scalar an escape sequence
// shifts the columns after it.
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
