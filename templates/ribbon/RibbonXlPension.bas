Attribute VB_Name = "RibbonXlPension"
' Ribbon callback of the xl_pension add-in (built by `xl-pension addin build`; do not edit in
' the VBA editor). Every button of the tab calls OnAction; the button's tag names the Python
' macro to run (see templates/ribbon/buttons.toml and xl_pension.macros.MACROS).
Option Explicit

Sub OnAction(control As IRibbonControl)
    Dim tag As String
    Dim i As Long
    tag = control.Tag
    If Len(tag) = 0 Or Len(tag) > 40 Then Exit Sub
    For i = 1 To Len(tag)
        If Not Mid$(tag, i, 1) Like "[A-Za-z0-9_]" Then Exit Sub
    Next i
    RunPython "import xl_pension.macros; xl_pension.macros.run('" & tag & "')"
End Sub
