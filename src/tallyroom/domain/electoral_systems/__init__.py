"""Electoral systems beyond first past the post: seat allocation methods, thresholds, leveling
and mixed systems, majority rounds and candidate selection, all in exact rational arithmetic."""
