; Inno Setup 6 script for Shotline. build-windows.ps1 runs it as:
;   iscc /DAppVersion=0.1.0 /DSourceDir=...\dist\shotline /O...\dist packaging\windows\shotline.iss
; Per-user install by default (no administrator needed); the uninstaller removes the program only, never projects.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\shotline"
#endif

[Setup]
AppId={{6F2B7C1E-4E0A-4D4B-9C7E-5A1D3B8F2C60}
AppName=Shotline
AppVersion={#AppVersion}
AppVerName=Shotline {#AppVersion}
AppPublisher=Shotline developers
AppPublisherURL=https://github.com/shotline/shotline
AppSupportURL=https://github.com/shotline/shotline/issues
DefaultDirName={autopf}\Shotline
DefaultGroupName=Shotline
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE
SetupIconFile=shotline.ico
UninstallDisplayIcon={app}\shotline-app.exe
OutputBaseFilename=Shotline-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
ChangesEnvironment=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the shotline command to PATH"; GroupDescription: "Command line:"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Shotline"; Filename: "{app}\shotline-app.exe"
Name: "{autodesktop}\Shotline"; Filename: "{app}\shotline-app.exe"; Tasks: desktopicon

[Registry]
; A Shotline project is a folder named *.shotline: "Open with Shotline" on such folders, for this user.
Root: HKA; Subkey: "Software\Classes\Directory\shell\Shotline"; ValueType: string; ValueName: ""; ValueData: "Open with Shotline"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Directory\shell\Shotline"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\shotline-app.exe"",0"
Root: HKA; Subkey: "Software\Classes\Directory\shell\Shotline"; ValueType: string; ValueName: "AppliesTo"; ValueData: "System.FileName:""*.shotline"""
Root: HKA; Subkey: "Software\Classes\Directory\shell\Shotline\command"; ValueType: string; ValueName: ""; ValueData: """{app}\shotline-app.exe"" open ""%1"""
; A shared project is one file, *.shotline.zip. Windows picks a file's program by its last extension alone, so
; Shotline cannot own *.shotline.zip without taking every .zip from the program the creator chose for zips. Instead
; zips whose names end in .shotline.zip get "Open with Shotline" (the AppliesTo filter); a double-click on any zip
; still does what it did before. A project is a folder, so it has the folder verb above rather than a file type.
Root: HKA; Subkey: "Software\Classes\SystemFileAssociations\.zip\shell\Shotline"; ValueType: string; ValueName: ""; ValueData: "Open with Shotline"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\SystemFileAssociations\.zip\shell\Shotline"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\shotline-app.exe"",0"
Root: HKA; Subkey: "Software\Classes\SystemFileAssociations\.zip\shell\Shotline"; ValueType: string; ValueName: "AppliesTo"; ValueData: "System.FileName:""*.shotline.zip"""
Root: HKA; Subkey: "Software\Classes\SystemFileAssociations\.zip\shell\Shotline\command"; ValueType: string; ValueName: ""; ValueData: """{app}\shotline-app.exe"" open ""%1"""
; The command line for this user, when asked for.
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\shotline-app.exe"; Description: "{cm:LaunchProgram,Shotline}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKCU, 'Environment', 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
