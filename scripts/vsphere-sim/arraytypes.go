package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// Gap 1: real ESX types every item of an ArrayOfX value (<ManagedObjectReference type="HostSystem"
// xsi:type="ManagedObjectReference">); govmomi 0.24 writes the items bare, and libvirt's deserializer
// (every item an AnyType) refuses them: "AnyType is missing 'type' property".

// xsdTypes: the items of ArrayOfString, ArrayOfInt, ... are XML Schema types.
var xsdTypes = map[string]string{
	"string": "xsd:string", "int": "xsd:int", "long": "xsd:long", "short": "xsd:short", "byte": "xsd:byte",
	"boolean": "xsd:boolean", "double": "xsd:double", "float": "xsd:float", "dateTime": "xsd:dateTime",
	"base64Binary": "xsd:base64Binary", "anyURI": "xsd:anyURI",
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// scope maps the namespace prefixes declared on an element and its ancestors to their URIs.
type scope map[string]string

func (outer scope) enter(start xml.StartElement) scope {
	inner := outer
	for _, attr := range start.Attr {
		if attr.Name.Space == "xmlns" {
			if len(inner) == len(outer) {
				inner = scope{}
				for prefix, uri := range outer {
					inner[prefix] = uri
				}
			}
			inner[attr.Name.Local] = attr.Value
		}
	}
	return inner
}

// typeAttr is the element's xsi:type, whatever prefix names the XML Schema instance namespace.
func (names scope) typeAttr(start xml.StartElement) string {
	for _, attr := range start.Attr {
		if attr.Name.Local == "type" && attr.Name.Space != "" && names[attr.Name.Space] == xsiNamespace {
			return attr.Value
		}
	}
	return ""
}

// typeArrayItems returns body with xsi:type added to each untyped child of an element typed ArrayOfX.
func typeArrayItems(body []byte) ([]byte, error) {
	decoder := xml.NewDecoder(bytes.NewReader(body))
	var out bytes.Buffer
	var items []string // per open element: the xsi:type its children need ("" for none)
	scopes := []scope{{}}
	copied := int64(0)
	for {
		before := decoder.InputOffset()
		token, err := decoder.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch element := token.(type) {
		case xml.StartElement:
			names := scopes[len(scopes)-1].enter(element)
			scopes = append(scopes, names)
			want := ""
			if len(items) > 0 {
				want = items[len(items)-1]
			}
			if want != "" && names.typeAttr(element) == "" {
				// The start tag's own bytes: insert before its closing '>' or '/>'.
				tag := body[before:decoder.InputOffset()]
				cut := before + int64(len(tag)) - 1
				if bytes.HasSuffix(tag, []byte("/>")) {
					cut--
				}
				out.Write(body[copied:cut])
				if names["xsi"] != xsiNamespace {
					out.WriteString(` xmlns:xsi="` + xsiNamespace + `"`)
				}
				out.WriteString(` xsi:type="` + want + `"`)
				copied = cut
			}
			child := ""
			typed := names.typeAttr(element)
			if item := strings.TrimPrefix(typed, "ArrayOf"); item != typed && item != "" {
				child = item
				if xsd, known := xsdTypes[strings.ToLower(item[:1])+item[1:]]; known {
					child = xsd
				}
			}
			items = append(items, child)
		case xml.EndElement:
			if len(items) > 0 {
				items = items[:len(items)-1]
				scopes = scopes[:len(scopes)-1]
			}
		}
	}
	out.Write(body[copied:])
	return out.Bytes(), nil
}
