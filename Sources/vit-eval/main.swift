import ViTCommands

ProcessSetup.preparePassiveOpenMP()
EvalCommand.main()
