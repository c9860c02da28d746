package sio

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// A struct's fields as encoding/json sees them (its documented rules: json
// tags, "-", omitempty, omitzero, string, embedded structs promoted unless
// tagged, a name at a shallower depth or tagged hiding the others, two
// equally dominant names dropping each other), so that a struct holding a
// []byte or an interface can be written field by field with the same keys, in
// the same order, as encoding/json writes it (see marshalvalue.go), and a
// decoded one matched key by key (see decodevalue.go).

type field struct {
	name      string
	tagged    bool
	index     []int
	typ       reflect.Type // the field's type (not followed through a pointer)
	omitEmpty bool
	omitZero  bool
	quoted    bool // the string option on a scalar (or pointer to one)
}

// structFields returns the fields of struct type t in encoding order.
func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	f, _ := fieldCache.LoadOrStore(t, typeFields(t))
	return f.([]field)
}

var fieldCache sync.Map // reflect.Type -> []field

func typeFields(t reflect.Type) []field {
	type embedded struct {
		typ   reflect.Type
		index []int
	}
	var (
		fields  []field
		next    = []embedded{{typ: t}}
		visited = map[reflect.Type]bool{}
	)
	for len(next) > 0 {
		current := next
		next = nil
		// How many times each struct type is embedded at this depth: a
		// name reached twice at the same depth is ambiguous.
		count := map[reflect.Type]int{}
		for _, e := range current {
			count[e.typ]++
		}
		for _, e := range current {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			for i := range e.typ.NumField() {
				sf := e.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clip(e.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, embedded{ft, index})
					continue
				}
				f := field{
					name:      cmp.Or(name, sf.Name),
					tagged:    name != "",
					index:     index,
					typ:       sf.Type,
					omitEmpty: hasOption(opts, "omitempty"),
					omitZero:  hasOption(opts, "omitzero"),
					quoted:    hasOption(opts, "string") && isScalar(ft.Kind()),
				}
				fields = append(fields, f)
				if count[e.typ] > 1 {
					fields = append(fields, f) // so that it is dropped as ambiguous
				}
			}
		}
	}
	// The dominant field of each name: the shallowest, then the tagged one;
	// none when two are equally dominant.
	sortFields(fields, func(a, b *field) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(len(a.index), len(b.index)),
			boolOrder(a.tagged, b.tagged), slices.Compare(a.index, b.index))
	})
	out := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		if j == i+1 || len(fields[i].index) != len(fields[i+1].index) || fields[i].tagged != fields[i+1].tagged {
			out = append(out, fields[i])
		}
		i = j
	}
	sortFields(out, func(a, b *field) int { return slices.Compare(a.index, b.index) })
	return slices.Clip(out)
}

// boolOrder puts true first.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// validTagName is encoding/json's rule for a usable key in a json tag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

func isScalar(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

// fieldByName returns the field a JSON key decodes into, as encoding/json
// matches it: the exact name, else the first whose name equals it up to case.
func fieldByName(fields []field, key string) *field {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].name, key) {
			return &fields[i]
		}
	}
	return nil
}

// fieldValue returns the field at index in struct v; false when it is behind
// a nil embedded pointer.
func fieldValue(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
